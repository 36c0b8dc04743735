package dev.candela.explain.sampled;

import dev.candela.explain.Objective;
import dev.candela.explain.ResolvedTarget;
import dev.candela.explain.cam.LayerEvidence;
import dev.candela.explain.display.DisplayMap;
import dev.candela.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * RISE (Petsiuk, Das and Saenko 2018) as the authors' code ({@code explanations.py}, class {@code RISE})
 * computes it: N binary grids of {@code cells} x {@code cells}, each cell 1 with probability {@code p};
 * each grid bilinearly upsampled to (cells + 1) x ceil(H / cells) by (cells + 1) x ceil(W / cells)
 * (skimage {@code resize}, order 1, mode 'reflect', no anti-aliasing: half-pixel centres, mirrored at the
 * border) and cropped at a random shift in [0, cell); the input is multiplied by each mask (all colour
 * channels) and scored; saliency = sum_m score_m * M_m / (N * p).
 *
 * <p>The score is the softmax probability of the target (the authors wrap the model in a Softmax), or with
 * {@code score=logit} the target's objective as given. Draws come from {@code java.util.Random(seed)}: first
 * N x cells x cells {@code nextDouble() < p} (row-major, as numpy's {@code rand(N, s, s)}), then per mask
 * the shifts {@code nextInt(cellH)}, {@code nextInt(cellW)}. Masks are made one batch at a time (never all N
 * at input resolution at once); forwards run in batches sized by the run's batch size and the memory budget.
 * The result is one saliency plane per row (R x 1 x H x W).
 *
 * @param masks       N (default 6000, the authors' PyTorch notebook)
 * @param cells       s, grid cells per side (authors: 8)
 * @param p           p1, probability of a cell being kept (default 0.1, the PyTorch notebook; 0.5 in the Keras one)
 * @param seed        seed of the draws
 * @param probability score the softmax probability (true, the authors') or the target's objective
 */
public record Rise(int masks, int cells, double p, long seed, boolean probability) implements SampledMethod {
    public Rise {
        if (masks < 1 || masks > MAX_MASKS) throw new IllegalArgumentException("rise: masks must be in 1.." + MAX_MASKS + ", got " + masks);
        if (cells < 1 || cells > MAX_CELLS) throw new IllegalArgumentException("rise: cells must be in 1.." + MAX_CELLS + ", got " + cells);
        if (!(p > 0 && p <= 1)) throw new IllegalArgumentException("rise: p must be in (0, 1], got " + p);
        if ((long) masks * cells * cells > MAX_GRID) throw new IllegalArgumentException("rise: masks x cells^2 = " + (long) masks * cells * cells + " grid cells exceed " + MAX_GRID);
    }

    /** Bounds on the options, so the grids (masks x cells^2 booleans) stay small: 10^6 masks, 256 cells per side, 2^26 grid cells. */
    public static final int MAX_MASKS = 1_000_000, MAX_CELLS = 256, MAX_GRID = 1 << 26;

    public static Rise defaults() { return new Rise(6000, 8, 0.1, 0, true); }

    public String name() { return "rise"; }

    public DisplayMap.Pixels display() { return DisplayMap.SIGNED_SUM; }

    public Map<String, Object> options() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("masks", masks);
        m.put("cells", cells);
        m.put("p", p);
        m.put("seed", seed);
        m.put("score", probability ? "probability" : "objective");
        return m;
    }

    /** The seeded grids and shifts for an H x W input. */
    public record Draws(int cells, int h, int w, boolean[] grid, int[] shiftY, int[] shiftX) {
        public int cellH() { return (int) Math.ceil(h / (double) cells); }
        public int cellW() { return (int) Math.ceil(w / (double) cells); }

        /** Mask m at input resolution (H x W), in double then rounded to float as skimage's float32 output. */
        public void mask(int m, float[] out) {
            int s = cells, upH = (s + 1) * cellH(), upW = (s + 1) * cellW();
            double sy = s / (double) upH, sx = s / (double) upW;
            int off = m * s * s;
            for (int i = 0; i < h; i++) {
                double fy = (i + shiftY[m] + 0.5) * sy - 0.5;
                int y0 = (int) Math.floor(fy);
                double ty = fy - y0;
                int ya = mirror(y0, s), yb = mirror(y0 + 1, s);
                for (int j = 0; j < w; j++) {
                    double fx = (j + shiftX[m] + 0.5) * sx - 0.5;
                    int x0 = (int) Math.floor(fx);
                    double tx = fx - x0;
                    int xa = mirror(x0, s), xb = mirror(x0 + 1, s);
                    double v = (1 - ty) * ((1 - tx) * cell(off, ya, xa, s) + tx * cell(off, ya, xb, s))
                            + ty * ((1 - tx) * cell(off, yb, xa, s) + tx * cell(off, yb, xb, s));
                    out[i * w + j] = (float) v;
                }
            }
        }

        private double cell(int off, int y, int x, int s) { return grid[off + y * s + x] ? 1 : 0; }

        /** scipy.ndimage 'mirror' (skimage 'reflect'): reflect about the edge samples' centres. */
        static int mirror(int i, int n) {
            if (n == 1) return 0;
            int period = 2 * (n - 1);
            i = Math.abs(i) % period;
            return i >= n ? period - i : i;
        }
    }

    public Draws draws(int h, int w) {
        Random r = new Random(seed);
        boolean[] grid = new boolean[Math.multiplyExact(masks, cells * cells)];
        for (int i = 0; i < grid.length; i++) grid[i] = r.nextDouble() < p;
        int ch = (int) Math.ceil(h / (double) cells), cw = (int) Math.ceil(w / (double) cells);
        int[] sy = new int[masks], sx = new int[masks];
        for (int m = 0; m < masks; m++) {
            sy[m] = r.nextInt(ch);
            sx[m] = r.nextInt(cw);
        }
        return new Draws(cells, h, w, grid, sy, sx);
    }

    public Tensor attribute(LayerEvidence e) {
        Tensor x = e.input();
        int r = e.rows(), c = x.dim(1), h = x.dim(2), w = x.dim(3), hw = h * w, size = c * hw;
        Draws d = draws(h, w);
        float[] mask = new float[hw];
        double[] scores = e.scoreInputs("rise", r * masks, (j, item) -> {
            int row = j / masks;
            d.mask(j % masks, mask);
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < hw; i++) item[ch * hw + i] = x.data()[row * size + ch * hw + i] * mask[i];
        }, scorer(e));
        double[][] acc = new double[r][hw];
        for (int m = 0; m < masks; m++) {
            d.mask(m, mask);
            for (int row = 0; row < r; row++) {
                double sc = scores[row * masks + m];
                for (int i = 0; i < hw; i++) acc[row][i] += sc * mask[i];
            }
        }
        float[] out = new float[r * hw];
        for (int row = 0; row < r; row++)
            for (int i = 0; i < hw; i++) out[row * hw + i] = (float) (acc[row][i] / masks / p);
        return Tensor.of(out, r, 1, h, w);
    }

    private LayerEvidence.Scorer scorer(LayerEvidence e) {
        if (!probability) return e.targetScore(j -> j / masks);
        return (j, logits) -> probabilityScore(e.targets().get(j / masks), logits);
    }

    /** The target's score on the softmax probabilities: p_c for a class, sum_j w_j p_j for weighted logits. */
    static double probabilityScore(ResolvedTarget t, float[] logits) {
        double[] pr = Objective.softmax(logits);
        return switch (t.objective()) {
            case Objective.Logit l -> pr[l.classIndex()];
            case Objective.Probability q -> pr[q.classIndex()];
            case Objective.Weighted wt -> {
                double s = 0;
                for (int i = 0; i < Math.min(pr.length, wt.weights().length); i++) s += wt.weights()[i] * pr[i];
                yield s;
            }
        };
    }
}
