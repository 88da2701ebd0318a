package dev.snapshotter.snapshot;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/** Boot snapshot on, Qdrant never answers: it waits QDRANT_WAIT_TIMEOUT, fails, and the probes settle. */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.on-start", value = "on"),
        @ResourceArg(name = "qdrant.url", value = "http://127.0.0.1:9"),
        @ResourceArg(name = "qdrant.wait-timeout", value = "2s") })
@ExtendWith(SecretsStayHidden.class)
class BootSnapshotUnreachableTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @Test
    void waitsForQdrantThenReportsFailedBootAndKeepsServing() {
        long start = System.nanoTime();
        given().get("/q/health/started").then().statusCode(503);
        Awaitility.await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1500));

        given().get("/q/health/started").then()
                .body("checks[0].data.status", equalTo("failed"))
                .body("checks[0].data.message", containsString("did not become ready within 2s"));
        given().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'qdrant' }.data.reason", containsString("could not be reached"));
        given().get("/q/health/live").then().statusCode(200);
        assertThat(dir.list()).isEmpty();
        ServiceApi.trigger().then().statusCode(502).body("status", equalTo("failed"));
    }
}
