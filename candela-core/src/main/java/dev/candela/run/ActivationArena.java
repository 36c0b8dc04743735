package dev.candela.run;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The arrays of a forward pass's dead activations, handed to the next ops that need an output of the same
 * size. A batch of 32 MobileNet inputs makes tens of megabytes of activations per pass; allocating each one
 * fresh (zeroed, then collected) cost more than the ops themselves with a small young generation.
 *
 * <p>An arena is active on one thread for the duration of one forward pass ({@link #activate}), and kept by its
 * {@link Executor} for the next pass (one per concurrent pass); only ops whose fast kernel writes every element
 * of its output take arrays from it ({@link #take}), so a recycled array's old contents are never read.
 * Outside an active arena {@link #take} is {@code new float[size]}.
 */
final class ActivationArena {
    private static final ThreadLocal<ActivationArena> CURRENT = new ThreadLocal<>();

    private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
    /** Arrays asked for this pass, by size: the most the next pass of the same model and batch can use. */
    private final Map<Integer, Integer> takenThisPass = new HashMap<>();
    private ActivationArena outer;

    /** Makes this arena the one {@link #take} uses on this thread, until {@link #deactivate}. */
    void activate() {
        outer = CURRENT.get();
        CURRENT.set(this);
        takenThisPass.clear();
    }

    /**
     * Ends the pass: the arena keeps, of each size, as many arrays as this pass asked for (the next pass of the
     * same model and batch asks for them again, so it allocates nothing) and drops the rest. Dead activations of
     * ops that allocate their own output are recycled too, so without the count a size both taken and recycled
     * gained an array every pass: EfficientNet-B0's gates grew the heap by 10 MB a forward until it ran out.
     */
    void deactivate() {
        if (outer == null) CURRENT.remove();
        else CURRENT.set(outer);
        outer = null;
        free.keySet().retainAll(takenThisPass.keySet());
        free.forEach((size, q) -> {
            for (int extra = q.size() - takenThisPass.get(size); extra > 0; extra--) q.pop();
        });
    }

    /** Arrays of {@code size} floats kept for the next pass. */
    int kept(int size) {
        ArrayDeque<float[]> q = free.get(size);
        return q == null ? 0 : q.size();
    }

    /** Floats kept for the next pass, all sizes. */
    long keptFloats() {
        long n = 0;
        for (Map.Entry<Integer, ArrayDeque<float[]>> e : free.entrySet()) n += (long) e.getKey() * e.getValue().size();
        return n;
    }

    /** An array of {@code size} floats for an output that will be written whole: a dead activation's, or a new one. */
    static float[] take(int size) {
        ActivationArena a = CURRENT.get();
        if (a != null) {
            a.takenThisPass.merge(size, 1, Integer::sum);
            ArrayDeque<float[]> q = a.free.get(size);
            if (q != null && !q.isEmpty()) return q.pop();
        }
        return new float[size];
    }

    /** Gives back the array of an activation nothing will read again. */
    void recycle(float[] data) {
        free.computeIfAbsent(data.length, k -> new ArrayDeque<>()).push(data);
    }
}
