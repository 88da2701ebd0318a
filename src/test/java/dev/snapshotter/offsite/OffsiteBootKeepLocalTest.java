package dev.snapshotter.offsite;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

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
 * {@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false} and a verified snapshot in the directory that is not off-site yet (taken
 * while the store was down, or before off-site copies were turned on): the boot's catch-up copies it, and then its
 * local files go, without waiting for a run.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(plantedSnapshotAge = "PT2H")
@WithS3(config = @ResourceArg(name = "qdrant.snapshot.s3.keep-local", value = "false"))
@ExtendWith(SecretsStayHidden.class)
class OffsiteBootKeepLocalTest {

    @InjectQdrant
    SnapshotDir dir;

    @InjectS3
    S3Bucket bucket;

    @Test
    void theBootCatchUpRemovesTheLocalFilesOnceTheirCopyIsConfirmed() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<String> copied = bucket.keys().stream().filter(key -> key.endsWith(".snap")).toList();
            assertThat(copied).hasSize(1);
            String file = copied.get(0).substring(copied.get(0).lastIndexOf('/') + 1);
            assertThat(bucket.keys()).contains(copied.get(0) + ".sha256");
            assertThat(dir.list()).noneMatch(path -> path.getFileName().toString().startsWith(file));
        });
        assertThat(Scrape.value("snapshotter_offsite_pending")).isZero();
    }
}
