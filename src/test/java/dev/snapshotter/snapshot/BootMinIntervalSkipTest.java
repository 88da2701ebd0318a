package dev.snapshotter.snapshot;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A pod restarting in a loop: a verified snapshot 10 minutes old is in the directory and
 * QDRANT_SNAPSHOT_ON_START_MIN_INTERVAL is 1h, so the boot snapshot is skipped and Qdrant is asked for nothing. The
 * last-success gauge comes from that file, not 0.
 */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.on-start", value = "true"),
        @ResourceArg(name = "qdrant.snapshot.on-start-min-interval", value = "1h") }, plantedSnapshotAge = "PT10M")
@ExtendWith(SecretsStayHidden.class)
class BootMinIntervalSkipTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @Test
    void skipsTheBootSnapshotWhenARecentOneExists() {
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        Path planted = dir.list().stream().filter(f -> f.toString().endsWith(".snap")).findFirst().orElseThrow();

        given().get("/q/health/started").then()
                .body("checks[0].data.status", equalTo("skipped"))
                .body("checks[0].data.message", containsString(planted.getFileName().toString()))
                .body("checks[0].data.message", containsString("10m"))
                .body("checks[0].data.message", containsString("QDRANT_SNAPSHOT_ON_START_MIN_INTERVAL=1h"));
        given().get("/q/health/ready").then().statusCode(200);
        assertThat(qdrant.creates()).isEmpty();
        assertThat(Scrape.value("snapshotter_runs_total{reason=\"startup\",status=\"skipped\",target=\"qdrant\"}"))
                .isEqualTo(1);
        double lastSuccess = Scrape.value("snapshotter_last_success_timestamp_seconds{target=\"qdrant\"}");
        long planted10MinutesAgo = Instant.now().minus(Duration.ofMinutes(10)).getEpochSecond();
        assertThat(lastSuccess).isBetween(planted10MinutesAgo - 60.0, planted10MinutesAgo + 60.0);
        assertThat(Scrape.value("snapshotter_size_bytes{target=\"qdrant\"}")).isEqualTo(TestData.snapshot(2048).length);
    }
}
