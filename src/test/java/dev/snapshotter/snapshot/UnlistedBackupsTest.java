package dev.snapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.LogCapture;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Files named as backups that nothing vouches for (a snapshot whose checksum file is gone, a set without its manifest)
 * are not listed, so never restored from the directory, pruned or re-read: each integrity check (and each boot) names
 * them at WARN with what to do, and leaves them as they are; {@code snapshotter_snapshots_unlisted} counts them at
 * each scrape. Before, nothing ever said they were there.
 */
@QuarkusTest
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.verify-schedule", value = "*/2 * * * * ?"))
@ExtendWith(SecretsStayHidden.class)
class UnlistedBackupsTest {

    static final String UNLISTED = "snapshotter_snapshots_unlisted";

    @InjectQdrant
    SnapshotDir dir;

    LogCapture log;

    @Test
    void backupsNothingVouchesForAreNamedByTheIntegrityCheck() throws Exception {
        assertThat(Scrape.value(UNLISTED)).isZero();
        Path snapshot = dir.plantSnapshot(Instant.now().minus(Duration.ofHours(1)), QdrantStandIn.COLLECTION,
                TestData.snapshot(10_000));
        Files.delete(snapshot.resolveSibling(snapshot.getFileName() + ".sha256"));
        Path set = Files.createDirectory(dir.directory().resolve("2026-11-24T00-15-00-123Z-kairos.set"));
        Files.writeString(set.resolve("1.snap"), "a member without its set.json");
        Path foreign = Files.writeString(dir.directory().resolve("notes.snap"), "not named as ours");

        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(log.lines())
                .anyMatch(line -> line.contains("WARN") && line.contains("2 file(s) in " + dir.directory()
                        + " are named as backups but nothing vouches for them, so they are not listed: "
                        + set.getFileName() + ", " + snapshot.getFileName() + ". ")
                        && line.contains("put the missing file back, or delete them")));
        assertThat(Scrape.value(UNLISTED)).isEqualTo(2); // an alert's to watch, not a log line's only

        assertThat(snapshot).exists();
        assertThat(set.resolve("1.snap")).exists();
        assertThat(foreign).exists();
        ServiceApi.api().get("/api/snapshots").then().statusCode(200);

        Files.delete(snapshot); // what the WARN says to do: the count follows the directory
        assertThat(Scrape.value(UNLISTED)).isEqualTo(1);
    }
}
