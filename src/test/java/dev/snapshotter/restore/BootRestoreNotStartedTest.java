package dev.snapshotter.restore;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * QDRANT_SNAPSHOT_RESTORE_IF_MISSING with Qdrant failing the first call the restore makes before its upload (its
 * version, 500): nothing reached the collection, so the boot tries the restore again, which restores it. Before, startup
 * stayed DOWN for good, until a restart.
 */
@QuarkusTest
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true"), missingCollectionRestoredAfterMillis = 0, firstFails = "GET /")
@ExtendWith(SecretsStayHidden.class)
class BootRestoreNotStartedTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void aRestoreQdrantFailedBeforeItsUploadIsTriedAgain() {
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/q/health/started").then()
                .statusCode(503)
                .body("checks[0].data.restore", equalTo("waiting"))
                .body("checks[0].data.restoreMessage", startsWith("Startup stays DOWN: collection `kairos` is missing "
                        + "on Qdrant and its restore from "))
                .body("checks[0].data.restoreMessage", containsString(" failed before its upload: The restore was "
                        + "not started: ")));
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).isEmpty();

        Awaitility.await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        given().get("/q/health/started").then().body("checks[0].data.restore", equalTo("completed"));
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).hasSize(1);
    }
}
