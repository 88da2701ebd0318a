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
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * QDRANT_SNAPSHOT_ON_START_REQUIRED: Qdrant comes up 6 s after the service is told where it is, its boot included (which
 * takes seconds on a loaded machine: with 3 s, a slow boot could meet Qdrant up at the first attempt), but the service
 * waits only 1 s, so the first attempt fails. Startup stays DOWN, saying why, and a retry takes the snapshot; only then
 * is startup UP.
 */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.on-start", value = "true"),
        @ResourceArg(name = "qdrant.snapshot.on-start-required", value = "true"),
        @ResourceArg(name = "qdrant.wait-timeout", value = "1s") }, startsAfterMillis = 6000)
@ExtendWith(SecretsStayHidden.class)
class BootSnapshotRequiredTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @Test
    void keepsStartupDownUntilARetrySucceeds() {
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/q/health/started").then()
                .statusCode(503)
                .body("checks[0].data.status", equalTo("failed"))
                .body("checks[0].data.required", equalTo(true))
                .body("checks[0].data.attempts", equalTo(1))
                .body("checks[0].data.message", containsString("did not become ready within 1s")));
        given().get("/q/health/ready").then().statusCode(503);

        Awaitility.await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        given().get("/q/health/started").then().body("checks[0].data.status", equalTo("completed"));
        given().get("/q/health/ready").then().statusCode(200);
        assertThat(qdrant.creates()).hasSize(1);
        assertThat(dir.list().stream().filter(f -> f.toString().endsWith(".snap"))).hasSize(1);
    }
}
