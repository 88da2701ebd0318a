package dev.snapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@code every 1h}, and the newest verified snapshot is 2 hours old (the process restarted more often than the
 * interval, so a schedule counted from boot never fired): the snapshot is overdue and taken right after boot, and
 * the next is one interval after it.
 */
@QuarkusTest
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.schedule", value = "every 1h"), plantedSnapshotAge = "PT2H")
@ExtendWith(SecretsStayHidden.class)
class ScheduleEveryOverdueTest {

    static final String COMPLETED = "snapshotter_runs_total{reason=\"schedule\",status=\"completed\",target=\"qdrant\"}";
    static final String NEXT = "snapshotter_next_scheduled_run_timestamp_seconds{target=\"qdrant\"}";

    @Test
    void takesAnOverdueSnapshotAtOnceAndTheNextOneIntervalAfterIt() {
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> Scrape.value(COMPLETED) >= 1);
        long inAnHour = Instant.now().plus(Duration.ofHours(1)).getEpochSecond();
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(Scrape.value(NEXT)).isBetween(inAnHour - 20.0, inAnHour + 5.0));
        assertThat(Scrape.value(COMPLETED)).isEqualTo(1);
    }
}
