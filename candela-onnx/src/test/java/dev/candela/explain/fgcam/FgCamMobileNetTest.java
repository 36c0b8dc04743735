package dev.candela.explain.fgcam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.candela.format.ModelFiles;
import dev.candela.graph.LayerNames;
import dev.candela.graph.Model;
import dev.candela.image.Npy;
import dev.candela.run.Activations;
import dev.candela.run.Executor;
import dev.candela.tensor.Parallel;
import dev.candela.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * FG-CAM to the input on the real MobileNet v1 0.25 (../shared, skipped when absent) with Grad-CAM at
 * conv_pw_13_relu, on the preprocessed images of the runtime goldens. The official rules lose exactly the
 * zero-denominator mass; with {@link RaisingRule.ZeroDenominators#SPREAD} the map conserves the sum of the
 * base components to 1e-4 relative. Measured: the official rules drop about 97% of the component total on
 * this model, mostly at the depthwise convs conv_dw_12/13, where about half the units have no positive
 * contribution (every tap has x = 0 or w <= 0) yet are positive after batch norm's shift and ReLU6.
 */
class FgCamMobileNetTest {
    static final Path MODEL = Path.of("..", "shared", "models", "mobilenet_v1_0.25_224_imagenet.onnx");

    @ParameterizedTest
    @ValueSource(strings = {"dog", "chelsea", "coffee"})
    void fgCamToTheInputConservesTheBaseComponentSumOnTheRealMobileNet(String image) throws Exception {
        assumeTrue(Files.exists(MODEL), "shared MobileNet not present at " + MODEL.toAbsolutePath());
        Path input = Path.of("testdata", "golden", "runtime", "mobilenet_v1_" + image, "input.npy");
        assumeTrue(Files.exists(input), "runtime golden input missing: " + input);
        Model m = ModelFiles.load(MODEL);
        try (Parallel p = new Parallel(2)) {
            Executor ex = Executor.fast(m, p);
            Tensor x = Npy.read(input);
            Activations fwd = ex.forward(x);
            String layer = new LayerNames(m.graph()).resolve("conv_pw_13_relu");
            int[] cls = dev.candela.explain.attribution.TargetWeights.argmax(fwd.output());
            Tensor comps = BaseComponents.compute(new BaseComponents.Base.GradCam(), ex, fwd, x, layer, cls);
            double c = comps.sum(), abs = 0;
            for (float v : comps.data()) abs += Math.abs(v);
            long t0 = System.nanoTime();
            FgCam.Result official = new FgCam(ex).raise(fwd, layer, comps, m.graph().input());
            long t1 = System.nanoTime();
            FgCam.Result spread = new FgCam(ex, RaisingRule.ZeroDenominators.SPREAD).raise(fwd, layer, comps, m.graph().input());
            double dropped = official.dropped().values().stream().mapToDouble(d -> d[0]).sum();
            double o = official.raised().sum(), s = spread.raised().sum();
            System.out.printf("mobilenet %s class %d: components %.6g (|.| %.6g); official %.6g (relative %.3g, zero-denominator mass %.3g); spread %.6g (relative %.3g); raise %.0f ms%n",
                    image, cls[0], c, abs, o, Math.abs(o - c) / Math.abs(c), dropped, s, Math.abs(s - c) / Math.abs(c), (t1 - t0) / 1e6);
            double absMass = abs;
            official.dropped().entrySet().stream().filter(en -> Math.abs(en.getValue()[0]) > 1e-3 * absMass)
                    .forEach(en -> System.out.printf("  zero-denominator mass at %s: %.4g%n", en.getKey(), en.getValue()[0]));
            assertEquals(c - dropped, o, 1e-4 * abs, image + ": official rules lose exactly the zero-denominator mass");
            assertTrue(Math.abs(s - c) <= 1e-4 * Math.abs(c), image + ": spread FG-CAM total " + s + " vs components " + c);
            assertEquals(224, official.map().dim(1));
        }
    }
}
