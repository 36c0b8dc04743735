package dev.candela.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Headless Chromium for page checks: dump the DOM and take a screenshot. */
final class Chromium {
    private Chromium() {}

    record Result(String dom, String log) {}

    static Path find() {
        for (String c : new String[]{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}) {
            Path p = Path.of(c);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    static Result render(Path chromium, Path page, Path screenshot) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("candela-chromium");
        String dom = run(chromium, profile, List.of("--dump-dom", page.toUri().toString()));
        String log = run(chromium, profile, List.of("--screenshot=" + screenshot, "--window-size=1280,1600", page.toUri().toString()));
        if (!Files.exists(screenshot)) throw new AssertionError("chromium wrote no screenshot: " + log);
        return new Result(dom, log);
    }

    private static String run(Path chromium, Path profile, List<String> extra) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile));
        cmd.addAll(extra);
        Path out = Files.createTempFile("chromium", ".out");
        Path err = Files.createTempFile("chromium", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 180 s: " + cmd);
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        if (p.exitValue() != 0) throw new AssertionError("chromium exited with " + p.exitValue() + ": " + stderr);
        return extra.contains("--dump-dom") ? stdout : stderr;
    }
}
