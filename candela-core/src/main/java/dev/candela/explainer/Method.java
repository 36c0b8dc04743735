package dev.candela.explainer;

import dev.candela.explain.Explanation;

import dev.candela.explain.attribution.AttributionMethods;
import dev.candela.explain.attribution.AttributionSettings;
import dev.candela.explain.attribution.PixelAttribution;
import dev.candela.explain.cam.CamMethod;
import dev.candela.explain.cam.CamSession;
import dev.candela.explain.cam.LayerEvidence;
import dev.candela.explain.display.DisplayMap;
import dev.candela.explain.fgcam.FgCamMethod;
import dev.candela.explain.lrp.LrpMethod;
import dev.candela.explain.sampled.SampledMethod;
import dev.candela.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One explanation method with all its options, as {@link Methods} parses it: a CAM method, FG-CAM, a pixel
 * attribution, LRP or a sampling method (occlusion, RISE, GradientSHAP). {@code explain}, {@code evaluate}, the report and the Java API all run a method
 * through {@link #explain(CamSession)}, so the same method and options give the same map everywhere; the
 * map is made by the method's {@link #display()} policy.
 *
 * <p>{@link #label()} names the method's outputs: the CLI name ("fg-cam"), or the name with its per-method
 * options ("fg-cam(base=score-cam,level=conv_pw_11_relu)") when it was given with them, so one run can
 * compare several variants of one method.
 */
public sealed interface Method {

    /** The CLI name of the family member ("grad-cam", "fg-cam", "lrp"). */
    String name();

    /** Unique name of this variant in a run (the name, or the name with its per-method options). */
    String label();

    /** How the raw result becomes the [0,1] map. */
    DisplayMap display();

    /** Runs the method on a prepared batch; the explanation's method is {@link #label()}. */
    Explanation explain(CamSession session);

    /** Manifest entries: the method's options and what it computed for the audit. */
    Map<String, Object> manifest(CamSession session, Explanation e);

    /** A method of the CAM registry (pytorch-grad-cam's family, LIFT-CAM, LRP-CAM, LIME-CAM). */
    record Cam(String label, CamMethod cam, Integer batch) implements Method {
        public Cam(String label, CamMethod cam) { this(label, cam, null); }
        public String name() { return cam.name(); }
        public DisplayMap display() { return cam.display(); }
        public Explanation explain(CamSession s) { return relabel(s.explain(cam, options(s, batch)), label); }

        public Map<String, Object> manifest(CamSession s, Explanation e) {
            Map<String, Object> m = new LinkedHashMap<>();
            // what the method computed for the audit (LIFT-CAM, LIME-CAM, DFF), under its name; tensors go to .npy files
            if (!e.audit().isEmpty()) m.put(cam.name().replace('-', '_'), withoutTensors(e.audit()));
            m.put("options", pipelineOptions(cam.toString(), options(s, batch)));
            return m;
        }
    }

    /** FG-CAM: a base CAM's components raised to an earlier layer (official display policy). */
    record FgCam(String label, FgCamMethod fg, Integer batch) implements Method {
        public FgCam(String label, FgCamMethod fg) { this(label, fg, null); }
        public String name() { return fg.name(); }
        public DisplayMap display() { return fg.display(); }
        public Explanation explain(CamSession s) { return relabel(s.explain(fg, options(s, batch)), label); }

        public Map<String, Object> manifest(CamSession s, Explanation e) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("fg_cam", e.audit());
            m.put("options", pipelineOptions(fg.toString(), options(s, batch)));
            return m;
        }
    }

    /**
     * A pixel attribution (gradient, gradient x input, Guided Backprop, Guided Grad-CAM, DeepLIFT, Integrated
     * Gradients, SmoothGrad); Guided Grad-CAM uses the session's first layer.
     */
    record Pixel(String label, String name, AttributionSettings settings) implements Method {
        public DisplayMap display() { return attribution(null).display(); }

        public PixelAttribution attribution(String layer) { return AttributionMethods.byName(name, layer, settings); }

        public Explanation explain(CamSession s) {
            LayerEvidence ev = s.evidence().get(0);
            return relabel(AttributionMethods.explain(attribution(ev.layer()), ev, s.targetScores()), label);
        }

        public Map<String, Object> manifest(CamSession s, Explanation e) {
            LayerEvidence ev = s.evidence().get(0);
            PixelAttribution a = attribution(ev.layer());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("options", a.toString());
            double[] delta = AttributionMethods.convergenceDelta(a, ev, e.attributions());
            if (delta != null) m.put("convergence_delta", delta);
            return m;
        }
    }

    /** LRP with a composite of rules, signed relevance at the input. */
    record Lrp(String label, LrpMethod lrp) implements Method {
        public String name() { return lrp.name(); }
        public DisplayMap display() { return lrp.display(); }

        public Explanation explain(CamSession s) { return relabel(lrp.explain(s.evidence().get(0), s.targetScores()), label); }

        public Map<String, Object> manifest(CamSession s, Explanation e) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("lrp", lrp.manifest());
            return m;
        }
    }

    /**
     * A method that samples the model (occlusion, RISE, GradientSHAP): signed attributions at the input,
     * made into the map by its pixel display policy; {@code batch} sets the forwards per batch of the
     * perturbation methods (the run's batch size otherwise).
     */
    record Sampled(String label, SampledMethod method, Integer batch) implements Method {
        public String name() { return method.name(); }
        public DisplayMap display() { return method.display(); }

        public Explanation explain(CamSession s) {
            long t0 = System.nanoTime();
            LayerEvidence ev = s.evidence().get(0);
            if (batch != null && batch != ev.options().batchSize()) ev = ev.withOptions(ev.options().withBatchSize(batch));
            Tensor attr = method.attribute(ev);
            Tensor maps = method.display().apply(attr);
            return new Explanation(label, java.util.List.of(), maps, null, null, attr, ev.logits(), new java.util.ArrayList<>(s.targetScores()), System.nanoTime() - t0);
        }

        public Map<String, Object> manifest(CamSession s, Explanation e) {
            Map<String, Object> m = new LinkedHashMap<>();
            Map<String, Object> o = new LinkedHashMap<>(method.options());
            o.put("batch_size", batch == null ? s.options().batchSize() : batch);
            m.put("options", o);
            return m;
        }
    }

    /** The session's pipeline options with the method's own batch size, if it has one. */
    private static dev.candela.explain.cam.CamOptions options(CamSession s, Integer batch) {
        return batch == null || batch == s.options().batchSize() ? s.options() : s.options().withBatchSize(batch);
    }

    /** The method's definition and the shared pipeline options, for the manifest. */
    private static Map<String, Object> pipelineOptions(String definition, dev.candela.explain.cam.CamOptions o) {
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("definition", definition);
        opts.put("resize", o.resize().name().toLowerCase(java.util.Locale.ROOT));
        opts.put("fusion", o.fusion().name().toLowerCase(java.util.Locale.ROOT));
        opts.put("aug_smooth", o.augSmooth());
        opts.put("eigen_smooth", o.eigenSmooth());
        opts.put("batch_size", o.batchSize());
        return opts;
    }

    /** Audit entries that go into JSON; tensors (DFF's concept maps, embeddings, class scores) are written as .npy files beside the map. */
    public static Map<String, Object> withoutTensors(Map<String, Object> audit) {
        Map<String, Object> m = new LinkedHashMap<>();
        audit.forEach((k, v) -> { if (!(v instanceof Tensor)) m.put(k, v); });
        return m;
    }

    private static Explanation relabel(Explanation e, String label) {
        if (e.method().equals(label)) return e;
        return e.named(label);
    }
}
