package dev.snapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.snapshotter.support.LogCapture;

/**
 * The progress of a long download: every byte counted for the gauge, and a line logged only when both 10 % more of
 * the snapshot and 30 s have passed since the last one (the rarer of the two). Plain JUnit, with a clock the test moves.
 */
class DownloadProgressTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void countsEveryByteAndLogsAtTheRarerOfTenPercentAndThirtySeconds() throws Exception {
        byte[] body = new byte[1000];
        AtomicLong counted = new AtomicLong();
        AtomicLong now = new AtomicLong();
        try (LogCapture logs = LogCapture.install();
                DownloadProgress progress = new DownloadProgress(new ByteArrayInputStream(body), counted::addAndGet,
                        "kairos-1.snapshot of `kairos`", body.length, now::get)) {
            byte[] chunk = new byte[10];
            // 1 % every 10 s: 10 % takes 100 s, so lines come every 10 %, not every 30 s
            for (int i = 0; i < 50; i++) {
                now.addAndGet(10 * SECOND);
                assertThat(progress.read(chunk)).isEqualTo(10);
            }
            assertThat(counted.get()).isEqualTo(500);
            assertThat(lines(logs)).hasSize(5).first().asString()
                    .contains("Downloading kairos-1.snapshot of `kairos`: 100 of 1000 bytes (10%)", "s left");
            // then 20 % every second: 30 s between lines, however much arrives
            for (int i = 0; i < 2; i++) {
                now.addAndGet(SECOND);
                progress.read(new byte[250]);
            }
            assertThat(lines(logs)).hasSize(5);
        }
    }

    private static List<String> lines(LogCapture logs) {
        return logs.lines().stream().filter(line -> line.contains("Downloading ")).toList();
    }
}
