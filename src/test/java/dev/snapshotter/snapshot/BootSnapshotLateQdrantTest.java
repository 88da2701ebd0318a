package dev.snapshotter.snapshot;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Boot snapshot on, Qdrant down when the service starts (connection refused) and up 4 s later, within
 * QDRANT_WAIT_TIMEOUT: the service waits, then takes exactly one verified snapshot, and only then is started and
 * ready.
 */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.on-start", value = "true"),
        @ResourceArg(name = "qdrant.wait-timeout", value = "60s") }, startsAfterMillis = 4000)
@ExtendWith(SecretsStayHidden.class)
class BootSnapshotLateQdrantTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @Test
    void waitsForALateQdrantThenTakesTheBootSnapshot() {
        given().get("/q/health/started").then().statusCode(503);
        given().get("/q/health/ready").then().statusCode(503);
        assertThat(qdrant.server().isRunning()).as("Qdrant is still down while the service waits").isFalse();

        Awaitility.await().atMost(Duration.ofSeconds(40))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));

        given().get("/q/health/started").then().body("checks[0].data.status", equalTo("completed"));
        given().get("/q/health/ready").then().statusCode(200);
        assertThat(qdrant.creates()).hasSize(1);
        assertThat(dir.list()).hasSize(3)
                .anySatisfy(file -> assertThat(file.getFileName().toString()).endsWith("-kairos.snap"));
    }
}
