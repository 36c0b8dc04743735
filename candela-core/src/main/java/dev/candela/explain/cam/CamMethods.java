package dev.candela.explain.cam;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The CAM methods by CLI name, each with its default settings. Methods living in other packages
 * (LIFT-CAM, LRP-CAM, FG-CAM) are added with {@link #register} from a static initialiser or listed here.
 */
public final class CamMethods {
    private static final Map<String, Supplier<CamMethod>> METHODS = new LinkedHashMap<>();

    static {
        register("cam", Cam::new);
        register("grad-cam", GradCam::new);
        register("hires-cam", HiResCam::new);
        register("grad-cam-elementwise", GradCamElementWise::new);
        register("grad-cam++", GradCamPlusPlus::new);
        register("xgrad-cam", XGradCam::new);
        register("layer-cam", LayerCam::new);
        register("smooth-grad-cam++", SmoothGradCamPlusPlus::new);
        register("score-cam", ScoreCam::new);
        register("ss-cam", SsCam::new);
        register("is-cam", IsCam::new);
        register("group-cam", GroupCam::new);
        register("ablation-cam", AblationCam::new);
        register("eigen-cam", EigenCam::new);
        register("eigen-grad-cam", EigenGradCam::new);
        register("full-grad", FullGrad::new);
        register("random-cam", RandomCam::new);
        register("lift-cam", dev.candela.explain.attribution.LiftCamMethod::new);
        register("lrp-cam", dev.candela.explain.lrp.LrpCamMethod::new);
        register("fg-cam", dev.candela.explain.fgcam.FgCamMethod::new);
        register("fem", Fem::new);
        register("finer-cam", FinerCam::new);
        register("kpca-cam", KpcaCam::new);
        register("shapley-cam", ShapleyCam::new);
        register("seg-eigen-cam", SegEigenCam::new);
        register("refine-cam", RefineCam::new);
        register("relevance-cam", dev.candela.explain.lrp.RelevanceCam::new);
        register("dff", Dff::new);
    }

    private CamMethods() {}

    public static synchronized void register(String name, Supplier<CamMethod> method) {
        METHODS.put(name, method);
    }

    /** A method with default settings; IllegalArgumentException listing the known names otherwise. */
    public static synchronized CamMethod byName(String name) {
        Supplier<CamMethod> s = METHODS.get(name.trim().toLowerCase(java.util.Locale.ROOT));
        if (s == null) throw new IllegalArgumentException("unknown CAM method '" + name + "'; known: " + String.join(", ", METHODS.keySet()));
        return s.get();
    }

    public static synchronized boolean has(String name) { return METHODS.containsKey(name); }

    /** Every registered name, in registration order (what {@code --method all} runs). */
    public static synchronized List<String> names() { return new ArrayList<>(METHODS.keySet()); }
}
