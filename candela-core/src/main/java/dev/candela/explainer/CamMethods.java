package dev.candela.explainer;

import dev.candela.explain.cam.Dff;

import dev.candela.explain.cam.LimeCam;

import dev.candela.explain.cam.AblationCam;
import dev.candela.explain.cam.Cam;
import dev.candela.explain.cam.CamMethod;
import dev.candela.explain.cam.EigenCam;
import dev.candela.explain.cam.EigenGradCam;
import dev.candela.explain.cam.Fem;
import dev.candela.explain.cam.FinerCam;
import dev.candela.explain.cam.FullGrad;
import dev.candela.explain.cam.GradCam;
import dev.candela.explain.cam.GradCamElementWise;
import dev.candela.explain.cam.GradCamPlusPlus;
import dev.candela.explain.cam.GroupCam;
import dev.candela.explain.cam.HiResCam;
import dev.candela.explain.cam.IsCam;
import dev.candela.explain.cam.KpcaCam;
import dev.candela.explain.cam.LayerCam;
import dev.candela.explain.cam.RandomCam;
import dev.candela.explain.cam.RefineCam;
import dev.candela.explain.cam.ScoreCam;
import dev.candela.explain.cam.SegEigenCam;
import dev.candela.explain.cam.ShapleyCam;
import dev.candela.explain.cam.SmoothGradCamPlusPlus;
import dev.candela.explain.cam.SsCam;
import dev.candela.explain.cam.XGradCam;

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
        register("lime-cam", LimeCam::new);
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
