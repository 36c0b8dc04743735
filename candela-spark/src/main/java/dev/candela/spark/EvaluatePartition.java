package dev.candela.spark;

import dev.candela.cli.EvaluateCommand;
import dev.candela.explain.attribution.TargetWeights;
import dev.candela.graph.Model;
import dev.candela.metrics.Evaluation;
import dev.candela.metrics.Sample;
import dev.candela.tensor.Shape;
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
 * One partition of {@link CandelaEvaluator}: {@code candela evaluate}'s own set-up ({@link EvaluateCommand#perImage},
 * from the arguments the transformer's params make) once for all its rows; each row is evaluated on its own as a
 * one-sample evaluation, which gives the numbers the single-JVM evaluation gives for that image (its seeds come
 * from the run seed, the image name and the method, never from the order of work).
 */
final class EvaluatePartition implements MapPartitionsFunction<Row, Row> {

    /**
     * What travels to the executors besides the model: the metric columns, the {@code candela evaluate} arguments
     * and the deletion/insertion step (null: the model's input width, as the CLI's default).
     */
    record Options(List<String> metrics, List<String> args, Integer riseStep) implements Serializable {
        Options {
            metrics = List.copyOf(metrics);
            args = List.copyOf(args);
        }
    }

    private final ExplainSettings settings;
    private final Options options;
    private final Broadcast<byte[]> model;
    private final List<String> labels;

    /** {@code labels}: the method labels, in order (a row that fails gets one error row per method). */
    EvaluatePartition(ExplainSettings settings, Options options, Broadcast<byte[]> model, List<String> labels) {
        this.settings = settings;
        this.options = options;
        this.model = model;
        this.labels = List.copyOf(labels);
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
        Shape item = m.graph().inputItemShape();
        EvaluateCommand.PerImage one = EvaluateCommand.perImage(options.args(), m,
                options.riseStep() != null ? options.riseStep() : item.dim(item.rank() - 1));
        TaskContext tc = TaskContext.get();
        if (tc != null) tc.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) ctx -> one.close());
        return new Iterator<>() {
            Iterator<Row> pending = java.util.Collections.emptyIterator();
            boolean closed;

            @Override public boolean hasNext() {
                while (!pending.hasNext() && rows.hasNext()) pending = evaluate(one, m, rows.next()).iterator();
                boolean more = pending.hasNext();
                if (!more && !closed) {
                    closed = true;
                    one.close();
                }
                return more;
            }

            @Override public Row next() {
                if (!hasNext()) throw new java.util.NoSuchElementException();
                return pending.next();
            }
        };
    }

    /** One output row per method label: the row's metric values, or nulls and the error. */
    List<Row> evaluate(EvaluateCommand.PerImage one, Model m, Row in) {
        String path = settings.pathIndex() >= 0 && !in.isNullAt(settings.pathIndex()) ? String.valueOf(in.get(settings.pathIndex())) : null;
        List<Row> out = new ArrayList<>();
        ExplainPartition.Input input;
        int target;
        Evaluation.Result result;
        try {
            input = ExplainPartition.input(in, m, settings);
            if (path == null) path = input.name();
            target = input.target() != null ? input.target() : TargetWeights.argmax(one.executor().forward(input.tensor(), java.util.Set.of()).output())[0];
            result = one.evaluation().finish(one.evaluate(new Sample(input.name(), input.tensor(), target, List.of())));
        } catch (RuntimeException | StackOverflowError e) {
            for (String method : labels) out.add(row(path, path == null ? null : ImageRows.stem(path), method, null, ExplainPartition.oneLine(e), Map.of()));
            return out;
        }
        Map<String, Map<String, Double>> values = new LinkedHashMap<>();
        for (String method : labels) values.put(method, new LinkedHashMap<>());
        for (Evaluation.Row r : result.rows()) values.computeIfAbsent(r.method(), k -> new LinkedHashMap<>()).put(r.metric(), r.value());
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
}
