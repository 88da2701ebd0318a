package dev.snapshotter.offsite;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
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
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A pod without a volume ({@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false}) restarts with
 * {@code QDRANT_SNAPSHOT_VERIFY_SCHEDULE=every 1h} and {@code QDRANT_SNAPSHOT_VERIFY_OFFSITE=true}: its directory holds
 * no integrity record, and the bucket holds the one of the check that started ten minutes ago and found a backup
 * failing there. The next check is due in fifty minutes, not at once (a pod restarting in a loop would stream the whole
 * bucket at each boot, billed as egress), and the gauges give that check's time and finding, not 0.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.verify-schedule", value = "every 1h"))
@WithS3(integrityCheckAge = "PT10M", config = { @ResourceArg(name = "qdrant.snapshot.s3.keep-local", value = "false"),
        @ResourceArg(name = "qdrant.snapshot.verify-offsite", value = "true") })
@ExtendWith(SecretsStayHidden.class)
class OffsiteIntegrityHistoryTest {

    @InjectQdrant
    SnapshotDir dir;

    @InjectS3
    S3Bucket bucket;

    @Test
    void theCheckRecordedInTheBucketCounts() throws Exception {
        ServiceApi.awaitReady();
        List<String> planted = integrityRecords();
        assertThat(planted).hasSize(1);
        long plantedAt = LocalDateTime.parse(planted.get(0).replaceAll(".*/(.+)\\.json", "$1"),
                DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH-mm-ss-SSS'Z'")).toEpochSecond(ZoneOffset.UTC);

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(Scrape.value("snapshotter_last_integrity_check_timestamp_seconds")).isEqualTo(plantedAt);
            assertThat(Scrape.value("snapshotter_offsite_failing_verification")).isEqualTo(1);
        });
        Thread.sleep(3_000); // a few ticks of the schedule: no check due
        assertThat(dir.directory().resolve(".integrity.json")).doesNotExist();
        assertThat(Scrape.value("snapshotter_last_integrity_check_timestamp_seconds")).isEqualTo(plantedAt);
        assertThat(integrityRecords()).isEqualTo(planted);
    }

    private List<String> integrityRecords() {
        return bucket.keys().stream().filter(key -> key.startsWith("kairos/integrity/")).toList();
    }
}
