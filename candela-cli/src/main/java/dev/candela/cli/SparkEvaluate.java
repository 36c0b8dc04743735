package dev.candela.cli;

import dev.candela.metrics.Box;
import dev.candela.metrics.Evaluation;
import dev.candela.metrics.Sample;
import dev.candela.tensor.Shape;
import dev.candela.tensor.Tensor;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Where {@code candela evaluate --spark} sends its per-image work. The CLI has no Spark on its class path:
 * {@code candela-spark} provides the one implementation ({@code META-INF/services}), found only when that module
 * and Spark's jars are on the class path (the launcher adds them for {@code --spark} once candela-spark is built).
 */
public interface SparkEvaluate {

    /** {@link EvaluateCommand#evaluateOne} of every item on {@code master}, in the items' order. */
    List<Evaluation.Partial> evaluate(String master, Job job, List<Item> items);

    /**
     * What every executor needs besides its image: the command's arguments (parsed again there, so the set-up is
     * the plain run's), the model file's bytes and name, and the deletion/insertion step the driver settled on.
     */
    record Job(List<String> args, byte[] model, String modelName, int riseStep) implements Serializable {
        public Job {
            args = List.copyOf(args);
        }
    }

    /** One prepared input as it travels: name, tensor, class to explain and score, boxes (x0, y0, x1, y1 each). */
    record Item(String name, int[] shape, float[] data, int target, int[] boxes) implements Serializable {
        static Item of(Sample s) {
            int[] b = new int[4 * s.boxes().size()];
            for (int i = 0; i < s.boxes().size(); i++) {
                Box x = s.boxes().get(i);
                b[4 * i] = x.x0(); b[4 * i + 1] = x.y0(); b[4 * i + 2] = x.x1(); b[4 * i + 3] = x.y1();
            }
            return new Item(s.name(), s.input().shape().dims(), s.input().data().clone(), s.target(), b);
        }

        Sample sample() {
            List<Box> bs = new ArrayList<>();
            for (int i = 0; i < boxes.length; i += 4) bs.add(new Box(boxes[i], boxes[i + 1], boxes[i + 2], boxes[i + 3]));
            return new Sample(name, new Tensor(Shape.of(shape), data.clone()), target, bs);
        }
    }

    /** The implementation on the class path, or IllegalArgumentException (exit 2) naming what to build. */
    static SparkEvaluate find() {
        for (SparkEvaluate s : ServiceLoader.load(SparkEvaluate.class)) return s;
        throw new IllegalArgumentException("--spark needs candela-spark and Spark's jars on the class path: build them once with "
                + "'mvn -pl candela-spark -am package -DskipTests' (./candela then adds them), or add them to the class path");
    }
}
