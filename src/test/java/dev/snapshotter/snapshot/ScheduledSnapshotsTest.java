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
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/** QDRANT_SNAPSHOT_SCHEDULE as a Quartz cron firing every 2 seconds: runs with reason schedule, skips when busy. */
@QuarkusTest
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.schedule", value = "*/2 * * * * ?"))
@ExtendWith(SecretsStayHidden.class)
class ScheduledSnapshotsTest {

    static final String COMPLETED = "snapshotter_runs_total{reason=\"schedule\",status=\"completed\",target=\"qdrant\"}";
    static final String SKIPPED = "snapshotter_runs_total{reason=\"schedule\",status=\"skipped\",target=\"qdrant\"}";
    static final String NEXT = "snapshotter_next_scheduled_run_timestamp_seconds{target=\"qdrant\"}";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @Test
    void runsOnScheduleAndSkipsWhileARunIsGoing() {
        double completedBefore = Scrape.value(COMPLETED);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Scrape.value(COMPLETED) > completedBefore);
        double next = Scrape.value(NEXT);
        assertThat(next).isBetween((double) Instant.now().getEpochSecond() - 1, Instant.now().getEpochSecond() + 3.0);
        assertThat(dir.list().stream().filter(f -> f.toString().endsWith(".snap"))).isNotEmpty();

        // a run that takes 5 s: the firings meanwhile are skipped, not queued
        qdrant.reset();
        QdrantStandIn.Snapshot slow = qdrant.snapshotServed("kairos", TestData.snapshot(1000));
        qdrant.createSlow(slow, 5000);
        double skippedBefore = Scrape.value(SKIPPED);
        try (LogCapture logs = LogCapture.install()) {
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> Scrape.value(SKIPPED) >= skippedBefore + 1);
            assertThat(logs.lines()).anyMatch(line -> line.startsWith("INFO") && line.contains("Scheduled snapshot skipped"));
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> qdrant.creates().size() >= 1);
        // while the slow create held the slot, no second create was sent
        assertThat(qdrant.creates().stream().filter(r -> r.getLoggedDate().toInstant()
                .isBefore(qdrant.creates().get(0).getLoggedDate().toInstant().plusMillis(4500)))).hasSize(1);
    }
}
