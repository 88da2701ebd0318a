package dev.snapshotter.offsite;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@code every 1h} in a pod without a volume ({@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false}), whose last backup, 50
 * minutes old, is only in the bucket: the schedule counts from it (due in 10 minutes, nothing taken at boot); and
 * after a run whose local files went once their copy was confirmed, the next is one interval after that run's
 * backup, not at once.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.schedule", value = "every 1h"), plantedSnapshotAge = "PT50M", plantedOffsitePrefix = OffsiteOnlyScheduleTest.PREFIX)
@WithS3(prefix = OffsiteOnlyScheduleTest.PREFIX, config = @ResourceArg(name = "qdrant.snapshot.s3.keep-local", value = "false"))
@ExtendWith(SecretsStayHidden.class)
class OffsiteOnlyScheduleTest {

    static final String PREFIX = "offsite-only-schedule";
    static final String NEXT = "snapshotter_next_scheduled_run_timestamp_seconds{target=\"qdrant\"}";
    static final String SCHEDULED = "snapshotter_runs_total{reason=\"schedule\",status=\"completed\",target=\"qdrant\"}";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @Test
    void theScheduleCountsFromTheBackupInTheBucket() throws InterruptedException {
        long inTenMinutes = Instant.now().plus(Duration.ofMinutes(10)).getEpochSecond();
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(
                () -> assertThat(Scrape.value(NEXT)).isBetween(inTenMinutes - 60.0, inTenMinutes + 5.0));
        assertThat(Scrape.value(SCHEDULED)).isZero();
        assertThat(qdrant.creates()).isEmpty();

        qdrant.snapshotServed("kairos", TestData.snapshot(4096));
        long inAnHour = Instant.now().plus(Duration.ofHours(1)).getEpochSecond();
        ServiceApi.trigger().then().statusCode(200);
        assertThat(dir.list()).noneMatch(path -> path.getFileName().toString().endsWith(".snap"));
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(
                () -> assertThat(Scrape.value(NEXT)).isBetween(inAnHour - 60.0, inAnHour + 5.0));
        Thread.sleep(3000); // three ticks of the schedule: none may fire
        assertThat(Scrape.value(SCHEDULED)).isZero();
        assertThat(qdrant.creates()).hasSize(1);
    }
}
