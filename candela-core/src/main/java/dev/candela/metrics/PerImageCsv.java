package dev.candela.metrics;

import dev.candela.metrics.Evaluation.Row;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code per-image.csv} written while an evaluation runs: the header at once, then the rows of each
 * image x method as soon as they are computed, flushed, so an interrupted run keeps what it finished.
 * The content is the same as {@link EvaluationReport#writeCsv} writes at the end.
 */
public final class PerImageCsv implements Evaluation.RowListener, AutoCloseable {
    private final Writer w;

    public PerImageCsv(Path file) throws IOException {
        w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        w.write(EvaluationReport.CSV_HEADER);
        w.flush();
    }

    @Override public void rows(List<Row> rows) {
        try {
            for (Row row : rows) w.write(EvaluationReport.csvLine(row));
            w.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override public void close() throws IOException {
        w.close();
    }
}
