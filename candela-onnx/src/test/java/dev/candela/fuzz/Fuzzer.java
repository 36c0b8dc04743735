package dev.candela.fuzz;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A seeded mutation fuzzer of our own. Each case takes one real seed file, applies one to three
 * mutations (bit flips, truncation, inflated length/shape fields, swapped or duplicated sections,
 * inflated decimal numbers in text headers), writes it to a file and runs the target on it. A case
 * passes when it ends within the time limit either normally or with one of the format's typed
 * errors; it fails on a timeout, any other exception, an Error (OutOfMemoryError, StackOverflowError)
 * or when it allocates more than the memory limit. Failures are grouped by exception type and the
 * first project frame, so distinct bugs are counted once. Cases are reproducible from (seed, index).
 */
final class Fuzzer {
    /** What runs on a mutated file. */
    @FunctionalInterface
    interface Target {
        void run(Path file) throws Exception;
    }

    record Failure(String signature, long caseIndex, String mutation, String detail) {}

    record Report(String format, long cases, long passed, long typedErrors, Map<String, Failure> distinct, long failures) {
        String summary() {
            StringBuilder b = new StringBuilder(String.format("%s: %d cases, %d loaded, %d typed errors, %d failures (%d distinct)",
                    format, cases, passed, typedErrors, failures, distinct.size()));
            for (Failure f : distinct.values()) b.append("\n  ").append(f.signature()).append(" (case ").append(f.caseIndex()).append(", ").append(f.mutation()).append("): ").append(f.detail());
            return b.toString();
        }
    }

    private final String format;
    private final List<byte[]> seeds;
    private final Target target;
    private final Predicate<Throwable> typed;
    private final long seed;
    private final Path dir;
    private final long timeoutMillis;
    private final long maxAllocatedBytes;

    Fuzzer(String format, List<byte[]> seeds, Target target, Predicate<Throwable> typed, long seed, Path dir, long timeoutMillis, long maxAllocatedBytes) {
        this.format = format;
        this.seeds = seeds;
        this.target = target;
        this.typed = typed;
        this.seed = seed;
        this.dir = dir;
        this.timeoutMillis = timeoutMillis;
        this.maxAllocatedBytes = maxAllocatedBytes;
    }

    Report run(long cases, String extension) throws Exception {
        Map<String, Failure> distinct = new LinkedHashMap<>();
        long passed = 0, typedErrors = 0, failures = 0;
        ExecutorService worker = newWorker();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Path file = dir.resolve(format + "-case" + extension);
        long from = Long.getLong("candela.fuzz.from", 0);
        for (long i = from; i < from + cases; i++) {
            Random r = new Random(seed * 1_000_003L + i);
            byte[] base = seeds.get(r.nextInt(seeds.size()));
            StringBuilder how = new StringBuilder();
            byte[] data = mutate(base, r, how);
            Files.write(file, data);
            long[] allocated = new long[1];
            Future<Throwable> f = worker.submit(() -> {
                long t = Thread.currentThread().threadId();
                long a0 = mx.getThreadAllocatedBytes(t);
                try {
                    target.run(file);
                    return null;
                } catch (Throwable e) {
                    return e;
                } finally {
                    allocated[0] = mx.getThreadAllocatedBytes(t) - a0;
                }
            });
            Throwable outcome;
            long t0 = System.nanoTime();
            try {
                outcome = f.get(timeoutMillis, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                worker.shutdownNow();
                worker = newWorker(); // the stuck thread is a daemon and is left behind
                outcome = new TimeoutException("did not end within " + timeoutMillis + " ms");
            }
            String fail = null;
            if (Boolean.getBoolean("candela.fuzz.verbose")) System.out.println(format + " case " + i + " (" + how + "): " + outcome + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms, " + (allocated[0] >> 20) + " MiB");
            if (outcome == null) {
                passed++;
            } else if (!(outcome instanceof TimeoutException) && typed.test(outcome)) {
                typedErrors++;
                if (outcome.getMessage() == null || outcome.getMessage().isBlank()) fail = "typed error without a message";
            } else {
                fail = "unexpected";
            }
            if (fail == null && allocated[0] > maxAllocatedBytes) {
                fail = "allocation";
                outcome = new OutOfMemoryError("allocated " + allocated[0] + " bytes for a " + data.length + "-byte file");
            }
            if (fail != null) {
                failures++;
                String sig = signature(outcome);
                if (!distinct.containsKey(sig)) {
                    distinct.put(sig, new Failure(sig, i, how.toString(), String.valueOf(outcome.getMessage()).lines().findFirst().orElse("")));
                    Path keep = Path.of("target", "fuzz-failures");
                    Files.createDirectories(keep);
                    Files.write(keep.resolve(format + "-case" + i + extension), data);
                }
            }
        }
        worker.shutdownNow();
        return new Report(format, cases, passed, typedErrors, distinct, failures);
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-case");
            t.setDaemon(true);
            return t;
        });
    }

    static String signature(Throwable e) {
        String where = "";
        for (StackTraceElement s : e.getStackTrace()) {
            if (s.getClassName().startsWith("dev.candela.") && !s.getClassName().startsWith("dev.candela.fuzz.")) {
                where = s.getClassName().substring("dev.candela.".length()) + "." + s.getMethodName() + ":" + s.getLineNumber();
                break;
            }
        }
        return e.getClass().getSimpleName() + (where.isEmpty() ? "" : " at " + where);
    }

    // ---- mutations ----

    private static final int[] INTERESTING = {0, 1, -1, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0x40000000, 0x10000, 46_000, 0x0fffffff};
    private static final String[] BIG_NUMBERS = {"0", "-1", "2147483647", "2147483648", "4294967295", "9223372036854775807", "99999999999999999999", "46000", "1e308", "65536", "-2147483648"};
    private static final Pattern DIGITS = Pattern.compile("-?\\d+");

    static byte[] mutate(byte[] base, Random r, StringBuilder how) {
        byte[] d = base.clone();
        int n = 1 + r.nextInt(3);
        for (int k = 0; k < n && d.length > 0; k++) {
            int kind = r.nextInt(7);
            if (how.length() > 0) how.append(" + ");
            switch (kind) {
                case 0 -> { // bit flips
                    int flips = 1 + r.nextInt(8);
                    for (int j = 0; j < flips; j++) {
                        int p = r.nextInt(d.length);
                        d[p] ^= (byte) (1 << r.nextInt(8));
                    }
                    how.append(flips).append(" bit flips");
                }
                case 1 -> { // truncation
                    int cut = r.nextInt(d.length);
                    d = java.util.Arrays.copyOf(d, cut);
                    how.append("truncated to ").append(cut);
                }
                case 2 -> { // inflated 32-bit field (either byte order), biased to the first 64 bytes where headers live
                    if (d.length < 4) break;
                    int p = r.nextBoolean() ? r.nextInt(Math.min(d.length - 3, 64)) : r.nextInt(d.length - 3);
                    int v = INTERESTING[r.nextInt(INTERESTING.length)];
                    boolean le = r.nextBoolean();
                    for (int j = 0; j < 4; j++) d[p + j] = (byte) (le ? v >>> (8 * j) : v >>> (8 * (3 - j)));
                    how.append("int32 ").append(Integer.toUnsignedString(v)).append(le ? " LE" : " BE").append(" at ").append(p);
                }
                case 3 -> { // inflated decimal number in a text header (.npy shape, .cnd JSON)
                    String s = new String(d, StandardCharsets.ISO_8859_1);
                    Matcher m = DIGITS.matcher(s);
                    List<int[]> spans = new ArrayList<>();
                    while (m.find() && spans.size() < 4096) spans.add(new int[]{m.start(), m.end()});
                    if (spans.isEmpty()) break;
                    int[] sp = spans.get(r.nextInt(spans.size()));
                    String big = BIG_NUMBERS[r.nextInt(BIG_NUMBERS.length)];
                    d = (s.substring(0, sp[0]) + big + s.substring(sp[1])).getBytes(StandardCharsets.ISO_8859_1);
                    how.append("number at ").append(sp[0]).append(" -> ").append(big);
                }
                case 4 -> { // swap two sections of equal length
                    int len = 1 + r.nextInt(Math.max(1, Math.min(256, d.length / 2)));
                    if (d.length < 2 * len) break;
                    int a = r.nextInt(d.length - len + 1), b = r.nextInt(d.length - len + 1);
                    byte[] t = java.util.Arrays.copyOfRange(d, a, a + len);
                    System.arraycopy(d, b, d, a, len);
                    System.arraycopy(t, 0, d, b, len);
                    how.append("swapped ").append(len).append(" bytes at ").append(a).append("/").append(b);
                }
                case 5 -> { // duplicate a section (repeated chunks, protobuf fields)
                    int len = 1 + r.nextInt(Math.max(1, Math.min(512, d.length)));
                    int a = r.nextInt(Math.max(1, d.length - len + 1));
                    len = Math.min(len, d.length - a);
                    int at = r.nextInt(d.length + 1);
                    byte[] out = new byte[d.length + len];
                    System.arraycopy(d, 0, out, 0, at);
                    System.arraycopy(d, a, out, at, len);
                    System.arraycopy(d, at, out, at + len, d.length - at);
                    d = out;
                    how.append("duplicated ").append(len).append(" bytes");
                }
                default -> { // random bytes overwritten
                    int len = 1 + r.nextInt(16), p = r.nextInt(d.length);
                    for (int j = p; j < Math.min(d.length, p + len); j++) d[j] = (byte) r.nextInt(256);
                    how.append("random bytes at ").append(p);
                }
            }
        }
        return d;
    }
}
