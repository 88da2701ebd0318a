package dev.snapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.snapshotter.support.QdrantStandIn;

/** The durable write on its own: plain JUnit, real files. */
class SnapshotFileWriterTest {

    @TempDir
    Path directory;

    @Test
    void namesFilesByUtcMillisecondsAndSafeCollection() {
        Instant at = Instant.parse("2026-11-24T00:15:00.123Z");
        assertThat(SnapshotFileWriter.finalName(at, "kairos")).isEqualTo("2026-11-24T00-15-00-123Z-kairos.snap");
        assertThat(SnapshotFileWriter.finalName(at, "my coll/ü:1.v2")).isEqualTo("2026-11-24T00-15-00-123Z-my_coll___1.v2.snap");
    }

    @Test
    void writesFileAndSha256sumSidecarThatSha256sumAccepts() throws Exception {
        byte[] body = QdrantStandIn.randomBytes(300_000);
        String sha256 = QdrantStandIn.sha256(body);

        SnapshotFileWriter.Written written = new SnapshotFileWriter(directory).write(new ByteArrayInputStream(body),
                "a.snap", new SnapshotFileWriter.Expected((long) body.length, body.length, sha256.toUpperCase()));

        assertThat(written.file()).isEqualTo(directory.resolve("a.snap")).hasBinaryContent(body);
        assertThat(written.sha256()).isEqualTo(sha256);
        assertThat(directory.resolve("a.snap.sha256")).hasContent(sha256 + "  a.snap");
        assertThat(Files.list(directory)).hasSize(2);
        if (Files.isExecutable(Path.of("/usr/bin/sha256sum"))) {
            Process check = new ProcessBuilder("sha256sum", "-c", "a.snap.sha256").directory(directory.toFile())
                    .redirectErrorStream(true).start();
            assertThat(check.waitFor()).as(new String(check.getInputStream().readAllBytes())).isZero();
        }
    }

    @Test
    void neverOverwritesAnExistingFile() throws Exception {
        Files.writeString(directory.resolve("a.snap"), "earlier");
        byte[] body = QdrantStandIn.randomBytes(1000);

        assertThatThrownBy(() -> new SnapshotFileWriter(directory).write(new ByteArrayInputStream(body), "a.snap",
                new SnapshotFileWriter.Expected((long) body.length, -1, QdrantStandIn.sha256(body))))
                .isInstanceOf(SnapshotFailure.class)
                .satisfies(e -> assertThat(((SnapshotFailure) e).kind()).isEqualTo(SnapshotFailure.Kind.LOCAL_IO))
                .hasMessageContaining("File exists");
        assertThat(directory.resolve("a.snap")).hasContent("earlier");
        assertThat(Files.list(directory)).containsExactly(directory.resolve("a.snap"));
    }

    @Test
    void stopsReadingABodyLongerThanAnnounced() throws Exception {
        byte[] body = QdrantStandIn.randomBytes(5000);

        assertThatThrownBy(() -> new SnapshotFileWriter(directory).write(new ByteArrayInputStream(body), "a.snap",
                new SnapshotFileWriter.Expected(4000L, -1, null)))
                .isInstanceOf(SnapshotFailure.class)
                .hasMessageContaining("longer than the 4000 bytes");
        assertThat(Files.list(directory)).isEmpty();
    }

    @Test
    void reportsABrokenBodyAsUpstreamAndLeavesNothing() throws Exception {
        InputStream breaking = new InputStream() {
            private int sent;

            @Override
            public int read() throws IOException {
                if (sent++ < 2000) {
                    return 7;
                }
                throw new IOException("Connection reset");
            }
        };

        assertThatThrownBy(() -> new SnapshotFileWriter(directory).write(breaking, "a.snap",
                new SnapshotFileWriter.Expected(10_000L, 10_000, null)))
                .isInstanceOf(SnapshotFailure.class)
                .satisfies(e -> assertThat(((SnapshotFailure) e).kind()).isEqualTo(SnapshotFailure.Kind.UNREACHABLE))
                .hasMessageContaining("broke after");
        assertThat(Files.list(directory)).isEmpty();
    }

    @Test
    void refusesToStartWhenFreeSpaceIsBelowTheSnapshotSize() {
        assertThatThrownBy(() -> new SnapshotFileWriter(directory).requireSpace(Long.MAX_VALUE))
                .isInstanceOf(SnapshotFailure.class)
                .satisfies(e -> assertThat(((SnapshotFailure) e).kind())
                        .isEqualTo(SnapshotFailure.Kind.INSUFFICIENT_STORAGE))
                .hasMessageContaining("bytes free");
    }
}
