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
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * A restart while Qdrant cannot be reached (its port closed for the first 25 s), {@code every 1h}, the newest verified
 * snapshot of {@code kairos} 50 minutes old: the schedule counts from that snapshot, as the directory records it, and
 * the next run is due in 10 minutes, not at once (a run bound to fail, then the next an interval after it); the
 * retention preview answers from the directory, not 502.
 */
@QuarkusTest
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.schedule", value = "every 1h"), plantedSnapshotAge = "PT50M", startsAfterMillis = 25_000)
@ExtendWith(SecretsStayHidden.class)
class QdrantDownBeforeFirstRunTest {

    static final String FAILED = "snapshotter_runs_total{reason=\"schedule\",status=\"failed\",target=\"qdrant\"}";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @Test
    void theDirectorySaysWhatQdrantCannot() throws Exception {
        long inTenMinutes = Instant.now().plus(Duration.ofMinutes(10)).getEpochSecond();
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                Scrape.value(ScheduleEveryOverdueTest.NEXT)).isBetween(inTenMinutes - 60.0, inTenMinutes + 5.0));
        assertThat(Scrape.value(FAILED)).isZero();

        JsonPath preview = ServiceApi.api().get("/api/retention").then().statusCode(200).extract().jsonPath();
        assertThat(preview.getString("collection")).isEqualTo(QdrantStandIn.COLLECTION);
        assertThat(preview.getList("local.backups.file", String.class))
                .containsExactly(dir.list().stream().map(file -> file.getFileName().toString())
                        .filter(name -> name.endsWith(".snap")).toArray(String[]::new));
        assertThat(qdrant.server().isRunning()).as("Qdrant is still down").isFalse();
    }
}
