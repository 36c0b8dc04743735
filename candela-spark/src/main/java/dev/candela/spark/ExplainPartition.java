package dev.candela.spark;

import dev.candela.explainer.Explainer;
import dev.candela.explain.Explanation;
import dev.candela.explainer.Method;
import dev.candela.explain.TargetScore;
import dev.candela.explain.cam.CamSession;
import dev.candela.graph.Model;
import dev.candela.tensor.Tensor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One partition of {@link CandelaExplainer}: the broadcast model (read once per JVM), one {@link Explainer} for
 * all the partition's rows, closed when the rows are done or the task ends. Rows are explained one at a time as
 * Spark pulls them, so a partition's memory is one image's work, whatever its size. Every method's noise is seeded
 * from (seed, image name, method) by {@link Explainer#explainSeeded}: the same bits for any partitioning.
 */
final class ExplainPartition implements MapPartitionsFunction<Row, Row> {
    private final ExplainSettings settings;
    private final Broadcast<byte[]> model;

    ExplainPartition(ExplainSettings settings, Broadcast<byte[]> model) {
        this.settings = settings;
        this.model = model;
    }

    /** The struct of one method's result (the element type of the output column). */
    static StructType methodStruct() {
        return new StructType()
                .add("method", DataTypes.StringType, false)
                .add("layer", DataTypes.StringType, true)
                .add("map", DataTypes.createArrayType(DataTypes.FloatType, false), true)
                .add("shape", DataTypes.createArrayType(DataTypes.IntegerType, false), true)
                .add("coefficients", DataTypes.createArrayType(DataTypes.FloatType, false), true)
                .add("millis", DataTypes.DoubleType, true)
                .add("error", DataTypes.StringType, true);
    }

    /** The columns appended to every row (before the methods' array column). */
    static StructType rowFields() {
        return new StructType()
                .add("prediction", DataTypes.IntegerType, true)
                .add("probability", DataTypes.DoubleType, true)
                .add("target", DataTypes.IntegerType, true)
                .add("target_probability", DataTypes.DoubleType, true)
                .add("error", DataTypes.StringType, true);
    }

    @Override public Iterator<Row> call(Iterator<Row> rows) {
        Model m = Models.get(settings.modelSha(), settings.modelExtension(), model::value);
        Explainer ex = Explainer.of(m, settings.threads());
        List<Method> methods = settings.parseMethods(m);
        TaskContext tc = TaskContext.get();
        if (tc != null) tc.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) ctx -> ex.close());
        return new Iterator<>() {
            boolean closed;

            @Override public boolean hasNext() {
                boolean more = rows.hasNext();
                if (!more && !closed) {
                    closed = true;
                    ex.close();
                }
                return more;
            }

            @Override public Row next() {
                if (!hasNext()) throw new NoSuchElementException();
                Row in = rows.next();
                return explainRow(ex, m, methods, in);
            }
        };
    }

    /**
     * The input row with the appended columns; a row that cannot be explained gets nulls and its error, a method
     * that fails on it gets a null map and its error in its own struct (the other methods go on).
     */
    Row explainRow(Explainer ex, Model m, List<Method> methods, Row in) {
        Object[] out = new Object[in.length() + 6];
        for (int i = 0; i < in.length(); i++) out[i] = in.get(i);
        int k = in.length();
        try {
            Input input = input(in, m, settings);
            CamSession session = ex.session(input.tensor(), settings.request(input.target()));
            if (session.targets().size() != 1) {
                throw new IllegalArgumentException("target '" + settings.target() + "' gives " + session.targets().size() + " targets; one per image is supported");
            }
            float[] logits = session.logits().item(0).data();
            int top = argmax(logits);
            out[k] = top;
            out[k + 1] = new dev.candela.explain.Objective.Probability(top).score(logits);
            TargetScore t = session.targetScores().get(0);
            out[k + 2] = t.classIndex() < 0 ? null : t.classIndex();
            out[k + 3] = Double.isNaN(t.probability()) ? null : t.probability();
            List<Row> structs = new ArrayList<>();
            for (Method method : methods) {
                try {
                    structs.add(methodRow(Explainer.explainSeeded(session, method, input.name(), settings.seed())));
                } catch (RuntimeException | StackOverflowError e) {
                    structs.add(RowFactory.create(method.label(), null, null, null, null, null, oneLine(e)));
                }
            }
            out[k + 5] = seq(structs.toArray(Row[]::new));
        } catch (RuntimeException | StackOverflowError e) {
            out[k + 4] = oneLine(e);
        }
        return RowFactory.create(out);
    }

    /** An image ready for the model, with the name its seeds come from and its class (if a column gives one). */
    record Input(Tensor tensor, String name, Integer target) {}

    static Input input(Row in, Model m, ExplainSettings s) {
        String path = s.pathIndex() >= 0 && !in.isNullAt(s.pathIndex()) ? String.valueOf(in.get(s.pathIndex())) : null;
        Integer target = s.targetIndex() >= 0 && !in.isNullAt(s.targetIndex()) ? ((Number) in.get(s.targetIndex())).intValue() : null;
        if (s.imageStruct()) {
            Row img = in.isNullAt(s.inputIndex()) ? null : in.getStruct(s.inputIndex());
            if (path == null && img != null && !img.isNullAt(img.fieldIndex("origin"))) path = img.getString(img.fieldIndex("origin"));
            return new Input(ImageRows.fromImageStruct(img, m), ImageRows.stem(path), target);
        }
        byte[] bytes = in.isNullAt(s.inputIndex()) ? null : (byte[]) in.get(s.inputIndex());
        String name = ImageRows.stem(path);
        return new Input(ImageRows.fromEncoded(bytes, path == null ? "image" : path, m), name, target);
    }

    static Row methodRow(Explanation e) {
        Tensor map = e.maps().item(0);
        int[] shape = new int[map.rank()];
        for (int i = 0; i < shape.length; i++) shape[i] = map.dim(i);
        float[] coef = e.coefficients() == null ? null : e.coefficients().item(0).data().clone();
        String layer = e.layers().isEmpty() ? null : e.layers().get(0);
        return RowFactory.create(e.method(), layer, seq(map.data().clone()), seq(shape), coef == null ? null : seq(coef), e.millis(), null);
    }

    /** Spark's row encoder takes Scala sequences for array columns. */
    static scala.collection.immutable.ArraySeq<Object> seq(Object array) {
        return scala.collection.immutable.ArraySeq.unsafeWrapArray(array);
    }

    static int argmax(float[] v) {
        int b = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[b]) b = i;
        return b;
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) m = e.getClass().getSimpleName();
        int nl = m.indexOf('\n');
        return nl >= 0 ? m.substring(0, nl) : m;
    }
}
