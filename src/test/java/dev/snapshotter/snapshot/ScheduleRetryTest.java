package dev.snapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

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
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@code every 1h} with {@code QDRANT_SNAPSHOT_SCHEDULE_RETRY=2s}, the newest snapshot nearly an hour old: the firing
 * some 20 s after the start (room for a slow boot) meets a Qdrant that fails its create (500), and the run is tried again 2 s
 * later, then 4 s
 * after that (the wait doubles while runs fail), and once Qdrant is well the retry completes; then nothing runs until
 * the next regular firing, an hour on. Before, a failed firing waited a whole interval.
 */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.schedule", value = "every 1h"),
        @ResourceArg(name = "qdrant.snapshot.schedule-retry", value = "2s") }, plantedSnapshotAge = "PT59M40S")
@ExtendWith(SecretsStayHidden.class)
class ScheduleRetryTest {

    static final String FAILED = "snapshotter_runs_total{reason=\"schedule\",status=\"failed\",target=\"qdrant\"}";

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void aFailedScheduledRunIsTriedAgainSoonWithAWaitThatDoubles() throws Exception {
        qdrant.createFails(QdrantStandIn.COLLECTION, 500, "Service internal error: No space left on device");
        try (LogCapture log = LogCapture.install()) {
            Awaitility.await().atMost(Duration.ofSeconds(40)).until(() -> Scrape.value(FAILED) == 1);
            Instant firstFailure = Instant.now();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Scrape.value(FAILED) == 2);
            assertThat(Duration.between(firstFailure, Instant.now())).isLessThan(Duration.ofSeconds(10));
            assertThat(log.lines()).anyMatch(line -> line.contains("Scheduled snapshot failed: tried again at"));
        }
        qdrant.snapshotServed(QdrantStandIn.COLLECTION, TestData.snapshot(4096)); // Qdrant is well again

        Awaitility.await().atMost(Duration.ofSeconds(15))
                .until(() -> Scrape.value(ScheduledSnapshotsTest.COMPLETED) == 1);
        long inAnHour = Instant.now().plus(Duration.ofHours(1)).getEpochSecond();
        Thread.sleep(5_000); // more than the next wait: no retry after a success
        assertThat(Scrape.value(ScheduledSnapshotsTest.COMPLETED)).isEqualTo(1);
        assertThat(Scrape.value(FAILED)).isEqualTo(2);
        assertThat(Scrape.value(ScheduleEveryOverdueTest.NEXT)).isBetween(inAnHour - 60.0, inAnHour + 5.0);
        assertThat(qdrant.creates()).hasSize(3);
    }
}
