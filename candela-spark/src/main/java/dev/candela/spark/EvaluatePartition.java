package dev.candela.spark;

import dev.candela.explainer.Explainer;
import dev.candela.explain.Explanation;
import dev.candela.explainer.Method;
import dev.candela.explain.Target;
import dev.candela.explain.attribution.TargetWeights;
import dev.candela.explain.cam.CamSession;
import dev.candela.explain.shapley.ShapleyReference;
import dev.candela.graph.Model;
import dev.candela.metrics.Evaluation;
import dev.candela.metrics.MapFunction;
import dev.candela.metrics.MetricSet;
import dev.candela.metrics.ModelScorer;
import dev.candela.metrics.Road;
import dev.candela.metrics.Sample;
import dev.candela.run.Executor;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Tensor;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One partition of {@link CandelaEvaluator}: one executor (thread pool) and one {@link Evaluation} set-up for all
 * its rows; each row is evaluated on its own as a one-sample evaluation, which gives the numbers the single-JVM
 * evaluation gives for that image (its seeds come from the run seed, the image name and the method, never from the
 * order of work). Methods run through the same path as {@link CandelaExplainer}, noise seeded per image and method.
 */
final class EvaluatePartition implements MapPartitionsFunction<Row, Row> {

    /** Evaluation options that travel to the executors. */
    record Options(List<String> metrics, String score, int scoreBatch, Integer riseStep, int torchCamSteps, int sanityLayers,
                   int shapleyPairs) implements Serializable {}

    private final ExplainSettings settings;
    private final Options options;
    private final Broadcast<byte[]> model;

    EvaluatePartition(ExplainSettings settings, Options options, Broadcast<byte[]> model) {
        this.settings = settings;
        this.options = options;
        this.model = model;
    }

    /** Metric name as a column name ("average-drop" becomes "average_drop"). */
    static String column(String metric) { return metric.replace('-', '_'); }

    static StructType schema(String pathColumn, List<String> metrics) {
        StructType s = new StructType()
                .add(pathColumn, DataTypes.StringType, true)
                .add("image", DataTypes.StringType, true)
                .add("method", DataTypes.StringType, true)
                .add("target", DataTypes.IntegerType, true)
                .add("error", DataTypes.StringType, true);
        for (String m : metrics) s = s.add(column(m), DataTypes.DoubleType, true);
        return s;
    }

    @Override public Iterator<Row> call(Iterator<Row> rows) {
        Model m = Models.get(settings.modelSha(), settings.modelExtension(), model::value);
        Parallel parallel = new Parallel(settings.threads());
        TaskContext tc = TaskContext.get();
        if (tc != null) tc.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) ctx -> parallel.close());
        Executor ex = Executor.fast(m, parallel);
        List<Method> methods = settings.parseMethods(m);
        ModelScorer scorer = new ModelScorer(ex, ModelScorer.Output.valueOf(options.score().toUpperCase(java.util.Locale.ROOT)), options.scoreBatch());
        return new Iterator<>() {
            Iterator<Row> pending = java.util.Collections.emptyIterator();
            boolean closed;

            @Override public boolean hasNext() {
                while (!pending.hasNext() && rows.hasNext()) pending = evaluate(ex, m, scorer, methods, rows.next()).iterator();
                boolean more = pending.hasNext();
                if (!more && !closed) {
                    closed = true;
                    parallel.close();
                }
                return more;
            }

            @Override public Row next() {
                if (!hasNext()) throw new java.util.NoSuchElementException();
                return pending.next();
            }
        };
    }

    /** One output row per method: the row's metric values, or nulls and the error. */
    List<Row> evaluate(Executor ex, Model m, ModelScorer scorer, List<Method> methods, Row in) {
        String path = settings.pathIndex() >= 0 && !in.isNullAt(settings.pathIndex()) ? String.valueOf(in.get(settings.pathIndex())) : null;
        List<Row> out = new ArrayList<>();
        ExplainPartition.Input input;
        int target;
        Evaluation.Result result;
        try {
            input = ExplainPartition.input(in, m, settings);
            if (path == null) path = input.name();
            target = input.target() != null ? input.target() : TargetWeights.argmax(ex.forward(input.tensor(), java.util.Set.of()).output())[0];
            result = evaluation(ex, scorer, methods, input.name()).run(List.of(new Sample(input.name(), input.tensor(), target, List.of())), null);
        } catch (RuntimeException | StackOverflowError e) {
            for (Method method : methods) out.add(row(path, path == null ? null : ImageRows.stem(path), method.label(), null, ExplainPartition.oneLine(e), Map.of()));
            return out;
        }
        Map<String, Map<String, Double>> values = new LinkedHashMap<>();
        for (Method method : methods) values.put(method.label(), new LinkedHashMap<>());
        for (Evaluation.Row r : result.rows()) values.get(r.method()).put(r.metric(), r.value());
        String skipped = result.notes().stream().filter(n -> n.contains("NaN values") || n.contains("gave a map with NaN")).findFirst().orElse(null);
        for (Map.Entry<String, Map<String, Double>> e : values.entrySet()) {
            String error = e.getValue().isEmpty() && skipped != null ? skipped : null;
            out.add(row(path, input.name(), e.getKey(), target, error, e.getValue()));
        }
        return out;
    }

    private Row row(String path, String image, String method, Integer target, String error, Map<String, Double> metrics) {
        Object[] v = new Object[5 + options.metrics().size()];
        v[0] = path;
        v[1] = image;
        v[2] = method;
        v[3] = target;
        v[4] = error;
        for (int i = 0; i < options.metrics().size(); i++) v[5 + i] = metrics.get(options.metrics().get(i));
        return RowFactory.create(v);
    }

    /** The evaluation of one image, set up as {@code candela evaluate} sets it up. */
    Evaluation evaluation(Executor ex, ModelScorer scorer, List<Method> methods, String image) {
        int width = ex.model().graph().inputItemShape().dim(ex.model().graph().inputItemShape().rank() - 1);
        MetricSet set = new MetricSet(options.riseStep() != null ? options.riseStep() : width, options.torchCamSteps(), Road.DEFAULT_PERCENTILES,
                options.sanityLayers(), settings.seed());
        int shapleyBatch = options.scoreBatch();
        long seed = settings.seed();
        int pairs = options.shapleyPairs();
        return new Evaluation(ex, scorer, set, options.metrics(), functions(methods, image))
                .withShapley(ShapleyReference.source(12, pairs, seed, shapleyBatch));
    }

    /** Each method as a map function: a session on the batch for the scored classes, noise seeded per image and method. */
    Map<String, MapFunction> functions(List<Method> methods, String image) {
        Map<String, MapFunction> fns = new LinkedHashMap<>();
        for (Method method : methods) {
            fns.put(method.label(), new MapFunction() {
                @Override public Tensor maps(Executor ex, Tensor x, int[] t) { return explain(ex, x, t).maps(); }

                @Override public Output explain(Executor ex, Tensor x, int[] t) {
                    List<Target> ts = new ArrayList<>();
                    for (int c : t) ts.add(Target.classIndex(c));
                    Explainer.Request r = settings.request(null).targets(ts);
                    CamSession s = Explainer.of(ex).session(x, r);
                    Explanation e = Explainer.explainSeeded(s, method, image, settings.seed());
                    return new Output(e.maps(), e.layers().isEmpty() ? null : e.layers().get(0), e.coefficients());
                }
            });
        }
        return fns;
    }
}
