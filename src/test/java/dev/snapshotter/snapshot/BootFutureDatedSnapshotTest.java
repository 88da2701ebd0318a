package dev.snapshotter.snapshot;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

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
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A snapshot dated 30 days in the future (clock skew, a file copied in) and QDRANT_SNAPSHOT_ON_START_MIN_INTERVAL=1h:
 * it is no reason to skip the boot snapshot, it does not become the last success, and it stays on disk.
 */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.on-start", value = "true"),
        @ResourceArg(name = "qdrant.snapshot.on-start-min-interval", value = "1h"),
        @ResourceArg(name = "qdrant.snapshot.keep-last", value = "1") }, plantedSnapshotAge = "-PT720H")
@ExtendWith(SecretsStayHidden.class)
class BootFutureDatedSnapshotTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @Test
    void takesTheBootSnapshotAndKeepsTheFutureDatedFileOutOfTheReckoning() {
        Awaitility.await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        given().get("/q/health/started").then().body("checks[0].data.status", equalTo("completed"));
        double lastSuccess = Scrape.value("snapshotter_last_success_timestamp_seconds{target=\"qdrant\"}");
        assertThat(lastSuccess).isBetween(Instant.now().minusSeconds(60).getEpochSecond() * 1.0,
                Instant.now().getEpochSecond() + 1.0);
        // keep-last=1 kept the new snapshot; the future-dated one took no place and was not deleted either
        assertThat(dir.list().stream().filter(f -> f.toString().endsWith(".snap"))).hasSize(2);
    }
}
