package dev.snapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The cron form (firings at :00, :20 and :40 of each minute) with {@code QDRANT_SNAPSHOT_SCHEDULE_RETRY=2s}: a firing
 * whose run fails (Qdrant answers 500 to the create) is tried again a few seconds later, well before the next firing,
 * and the retry completes once Qdrant is well.
 */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.schedule", value = "0/20 * * * * ?"),
        @ResourceArg(name = "qdrant.snapshot.schedule-retry", value = "2s") })
@ExtendWith(SecretsStayHidden.class)
class ScheduleRetryCronTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void aFailedFiringIsTriedAgainBeforeTheNext() {
        qdrant.createFails(QdrantStandIn.COLLECTION, 500, "Service internal error: No space left on device");
        Awaitility.await().atMost(Duration.ofSeconds(25)).until(() -> Scrape.value(ScheduleRetryTest.FAILED) == 1);
        qdrant.snapshotServed(QdrantStandIn.COLLECTION, TestData.snapshot(4096)); // Qdrant is well again

        // the retry is due 2 s after the failure (looked at every 5 s; 4 s more should it fail again); the next firing
        // comes 20 s after the failed one
        Awaitility.await().atMost(Duration.ofSeconds(15))
                .until(() -> Scrape.value(ScheduledSnapshotsTest.COMPLETED) == 1);
        assertThat(Scrape.value(ScheduleRetryTest.FAILED)).isBetween(1.0, 2.0);
    }
}
