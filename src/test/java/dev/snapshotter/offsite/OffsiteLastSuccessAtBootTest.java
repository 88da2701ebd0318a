package dev.snapshotter.offsite;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.store.SnapshotFileName;
import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.InjectS3;
import dev.snapshotter.support.S3Bucket;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A pod without a volume ({@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false}) restarts: its directory is empty, and the
 * bucket holds the backup it took three hours ago. From boot, before any run, the off-site last-success gauge says
 * when that backup was taken, as the bucket shows it: not 0, which would hide the backup from the dashboard and keep
 * the stale-copy alert (which ignores 0) silent for as long as the copies after the restart fail.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(plantedSnapshotAge = "PT3H", plantedOffsitePrefix = OffsiteLastSuccessAtBootTest.PREFIX)
@WithS3(prefix = OffsiteLastSuccessAtBootTest.PREFIX, config = @ResourceArg(name = "qdrant.snapshot.s3.keep-local", value = "false"))
@ExtendWith(SecretsStayHidden.class)
class OffsiteLastSuccessAtBootTest {

    static final String PREFIX = "last-success-at-boot";

    @InjectQdrant
    SnapshotDir dir;

    @InjectS3
    S3Bucket bucket;

    @Test
    void theGaugeReadsTheNewestBackupInTheBucketAtBoot() {
        assertThat(dir.list()).noneMatch(path -> path.getFileName().toString().endsWith(".snap"));
        List<String> offsite = bucket.keys().stream().filter(key -> key.endsWith(".snap")).toList();
        assertThat(offsite).hasSize(1);
        String file = offsite.get(0).substring(offsite.get(0).lastIndexOf('/') + 1);
        Instant takenAt = SnapshotFileName.parse(file).orElseThrow().createdAt();
        assertThat(takenAt).isBefore(Instant.now().minus(Duration.ofHours(2)));

        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                Scrape.value("snapshotter_offsite_last_success_timestamp_seconds"))
                .isEqualTo((double) takenAt.getEpochSecond()));
        assertThat(Scrape.value("snapshotter_offsite_pending")).isZero();
    }
}
