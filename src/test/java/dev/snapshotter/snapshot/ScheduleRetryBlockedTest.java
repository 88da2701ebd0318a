package dev.snapshotter.snapshot;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.LogCapture;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A scheduled run that fails because Qdrant refuses the key (401) is not tried again, whatever
 * {@code QDRANT_SNAPSHOT_SCHEDULE_RETRY} says: readiness is DOWN for it, the operator must act, and a retry would only
 * fail the same way and count another failed run.
 */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.api-key", value = QdrantAuthFailureTest.WRONG_KEY),
        @ResourceArg(name = "qdrant.snapshot.schedule", value = "every 1h"),
        @ResourceArg(name = "qdrant.snapshot.schedule-retry", value = "2s") }, plantedSnapshotAge = "PT59M40S")
@ExtendWith(SecretsStayHidden.class)
class ScheduleRetryBlockedTest {

    @Test
    void aRefusedKeyIsNotTriedAgain() throws Exception {
        try (LogCapture log = LogCapture.install()) {
            Awaitility.await().atMost(Duration.ofSeconds(40)).until(() -> Scrape.value(ScheduleRetryTest.FAILED) == 1);
            Thread.sleep(6_000); // three times the retry's wait
            assertThat(Scrape.value(ScheduleRetryTest.FAILED)).isEqualTo(1);
            assertThat(log.lines()).noneMatch(line -> line.contains("tried again at"));
        }
        given().get("/q/health/ready").then().statusCode(503);
    }
}
