package dev.candela.spark;

import dev.candela.cli.EvaluateCommand;
import dev.candela.cli.SparkEvaluate;
import dev.candela.graph.Model;
import dev.candela.metrics.Evaluation;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * {@code candela evaluate --spark MASTER}: the prepared images are spread over the cluster's tasks (one slice per
 * core, at most one image per slice), the model file is broadcast once and read once per executor JVM, and each
 * image is evaluated by {@link EvaluateCommand#evaluateOne} (the plain run's set-up and seeds). The partials come
 * back in image order, so the driver writes the plain run's files. A session already running in this JVM (an
 * application embedding the CLI, the tests) is used as it is and left running; one started here is stopped.
 */
public final class SparkEvaluateBackend implements SparkEvaluate {

    @Override public List<Evaluation.Partial> evaluate(String master, Job job, List<Item> items) {
        boolean existing = SparkSession.getDefaultSession().isDefined();
        SparkSession spark = existing ? SparkSession.getDefaultSession().get()
                : SparkSession.builder().master(master).appName("candela evaluate").config("spark.ui.enabled", "false").getOrCreate();
        try {
            if (!existing) spark.sparkContext().setLogLevel("WARN");
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            String sha = Models.sha256(job.model());
            String ext = CandelaExplainer.extension(job.modelName());
            Broadcast<byte[]> model = jsc.broadcast(job.model());
            Job light = new Job(job.args(), new byte[0], job.modelName(), job.riseStep()); // the bytes travel by the broadcast
            int slices = Math.max(1, Math.min(items.size(), 4 * jsc.defaultParallelism()));
            return new ArrayList<>(jsc.parallelize(items, slices).mapPartitions(it -> {
                Model m = Models.get(sha, ext, model::value);
                List<Evaluation.Partial> out = new ArrayList<>();
                while (it.hasNext()) out.add(EvaluateCommand.evaluateOne(light, m, it.next()));
                return out.iterator();
            }).collect());
        } finally {
            if (!existing) spark.stop();
        }
    }
}
