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
import dev.snapshotter.support.LogCapture;
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
 * {@link OffsiteIntegrityHistoryTest} with the bucket's record cut short (no JSON): a WARN says it could not be read,
 * and only when that check started counts. The schedule counts from it (no check at boot) and the last-check gauge
 * gives its time; the failing gauge is 0, as nothing it found can be told.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.verify-schedule", value = "every 1h"))
@WithS3(integrityCheckAge = "PT10M", integrityRecordUnreadable = true, config = {
        @ResourceArg(name = "qdrant.snapshot.s3.keep-local", value = "false"),
        @ResourceArg(name = "qdrant.snapshot.verify-offsite", value = "true") })
@ExtendWith(SecretsStayHidden.class)
class OffsiteIntegrityRecordUnreadableTest {

    @InjectQdrant
    SnapshotDir dir;

    @InjectS3
    S3Bucket bucket;

    /** From before the boot: the record is read at boot, on a thread of its own, maybe before the test starts. */
    LogCapture log;

    @Test
    void onlyWhenTheCheckStartedCounts() throws Exception {
        ServiceApi.awaitReady();
        List<String> planted = bucket.keys().stream().filter(key -> key.startsWith("kairos/integrity/")).toList();
        assertThat(planted).hasSize(1);
        String name = planted.get(0).replaceAll(".*/(.+)\\.json", "$1");
        long plantedAt = LocalDateTime.parse(name, DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH-mm-ss-SSS'Z'"))
                .toEpochSecond(ZoneOffset.UTC);

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(Scrape.value("snapshotter_last_integrity_check_timestamp_seconds")).isEqualTo(plantedAt);
            assertThat(log.appLines()).anyMatch(line -> line.contains("The last integrity check recorded off-site, "
                    + name + ".json, could not be read (") && line.contains("only when it started counts"));
        });
        assertThat(Scrape.value("snapshotter_offsite_failing_verification")).isZero();
        Thread.sleep(3_000); // a few ticks of the schedule: no check due
        assertThat(dir.directory().resolve(".integrity.json")).doesNotExist();
        assertThat(Scrape.value("snapshotter_last_integrity_check_timestamp_seconds")).isEqualTo(plantedAt);
    }
}
