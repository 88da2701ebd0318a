package dev.snapshotter.offsite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.InjectS3;
import dev.snapshotter.support.LogCapture;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.S3Bucket;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * QDRANT_SNAPSHOT_VERIFY_SCHEDULE with off-site copies: a backup whose local copy rotted on disk (a byte changed, its
 * size the same) while its off-site copy is sound is healed by the integrity check that finds it: the off-site copy,
 * fetched and verified, takes its place, and nothing is left failing. Before, it stayed rotted and marked, counted in
 * snapshotter_snapshots_failing_verification, until an operator copied it back by hand.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.verify-schedule", value = "*/2 * * * * ?"))
@WithS3(prefix = OffsiteIntegrityHealTest.PREFIX)
@ExtendWith(SecretsStayHidden.class)
class OffsiteIntegrityHealTest {

    static final String PREFIX = "integrity-heal";

    @InjectQdrant
    SnapshotDir dir;

    @InjectS3
    S3Bucket bucket;

    LogCapture log;

    @Test
    void aLocalCopyThatRottedIsReplacedByItsSoundOffsiteCopy() throws Exception {
        Instant now = Instant.now();
        byte[] sound = TestData.snapshot(25_000);
        Path local = dir.plantSnapshot(now.minus(Duration.ofHours(1)), QdrantStandIn.COLLECTION, sound);
        bucket.plantBackup(QdrantStandIn.COLLECTION, local.getFileName().toString(), sound, TestData.sha256(sound));
        SnapshotDir.rot(local);
        Path record = dir.directory().resolve(".integrity.json");

        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            JsonPath recorded = JsonPath.from(Files.readString(record));
            assertThat(Instant.parse(recorded.getString("startedAt"))).isAfter(now);
            assertThat(recorded.getInt("checked")).isEqualTo(1);
            assertThat(recorded.getList("failed", String.class)).isEmpty();
            assertThat(Files.readAllBytes(local)).isEqualTo(sound);
        });
        assertThat(local.resolveSibling(local.getFileName() + ".verify-failed")).doesNotExist();
        assertThat(Scrape.value("snapshotter_snapshots_failing_verification")).isZero();
        assertThat(Scrape.value("snapshotter_offsite_healed_total")).isEqualTo(1);
        // one WARN line names the heal (before, the integrity check said it again)
        assertThat(log.appLines().stream().filter(line -> line.startsWith("WARN ") && line.contains("took its place")))
                .singleElement().asString().contains("The local copy of " + local.getFileName()
                        + " failed its re-read; its off-site copy, s3://");
    }
}
