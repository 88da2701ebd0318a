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
 * {@link OffsiteLastSuccessAtBootTest} with {@code QDRANT_COLLECTION} an alias ({@code kairos_live} pointing at
 * {@code kairos}): the backups in the bucket sit in the folder of the real collection, which only Qdrant can name.
 * Once the boot has resolved the alias, both last-success gauges say when the backup there was taken, before any
 * copy.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(configuredAlias = "kairos_live", plantedSnapshotAge = "PT3H", plantedOffsitePrefix = OffsiteAliasLastSuccessAtBootTest.PREFIX)
@WithS3(prefix = OffsiteAliasLastSuccessAtBootTest.PREFIX, config = @ResourceArg(name = "qdrant.snapshot.s3.keep-local", value = "false"))
@ExtendWith(SecretsStayHidden.class)
class OffsiteAliasLastSuccessAtBootTest {

    static final String PREFIX = "alias-last-success-at-boot";

    @InjectQdrant
    SnapshotDir dir;

    @InjectS3
    S3Bucket bucket;

    @Test
    void theGaugesReadTheBackupInTheRealCollectionsFolder() {
        assertThat(dir.list()).noneMatch(path -> path.getFileName().toString().endsWith(".snap"));
        List<String> offsite = bucket.keys().stream().filter(key -> key.endsWith(".snap")).toList();
        assertThat(offsite).singleElement().asString().startsWith("kairos/");
        String file = offsite.get(0).substring(offsite.get(0).lastIndexOf('/') + 1);
        double takenAt = SnapshotFileName.parse(file).orElseThrow().createdAt().getEpochSecond();
        assertThat(takenAt).isLessThan(Instant.now().minus(Duration.ofHours(2)).getEpochSecond());

        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(Scrape.value("snapshotter_last_success_timestamp_seconds{target=\"qdrant\"}"))
                    .isEqualTo(takenAt);
            assertThat(Scrape.value("snapshotter_offsite_last_success_timestamp_seconds")).isEqualTo(takenAt);
        });
    }
}
