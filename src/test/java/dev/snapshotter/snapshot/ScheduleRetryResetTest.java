package dev.snapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The cron form (firings at :00, :15, :30 and :45 of each minute) with {@code QDRANT_SNAPSHOT_SCHEDULE_RETRY=2s}: a
 * firing fails, so does its retry (the next wait doubled to 4 s); then a backup is taken through the API, and the next
 * firing fails again. That backup ended the row of failures: the retry is due 2 s after the new failure, not 8 s (the
 * wait doubled once more, as before, when only a scheduled run that did not fail ended it).
 */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.schedule", value = "0/15 * * * * ?"),
        @ResourceArg(name = "qdrant.snapshot.schedule-retry", value = "2s") })
@ExtendWith(SecretsStayHidden.class)
class ScheduleRetryResetTest {

    static final String FAILED_API = "snapshotter_runs_total{reason=\"api\",status=\"failed\",target=\"qdrant\"}";

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void aBackupTakenSinceTheLastFailureEndsTheRow() {
        String error = "Service internal error: No space left on device";
        qdrant.createFails(QdrantStandIn.COLLECTION, 500, error);
        // the firing, then its retry (due 2 s later, looked at every 5 s)
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> Scrape.value(ScheduleRetryTest.FAILED) == 2);

        qdrant.snapshotServed(QdrantStandIn.COLLECTION, TestData.snapshot(4096));
        ServiceApi.api().post("/api/snapshot").then().statusCode(200);
        qdrant.createFails(QdrantStandIn.COLLECTION, 500, error);

        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> Scrape.value(ScheduleRetryTest.FAILED) == 3);
        double failedAt = Instant.now().getEpochSecond();
        assertThat(Scrape.value(ScheduleEveryOverdueTest.NEXT)).as("the retry after a new row's first failure")
                .isBetween(failedAt, failedAt + 4);
        assertThat(Scrape.value(FAILED_API)).isZero();
    }
}
