package dev.snapshotter.restore;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
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
 * As {@link BootRestoreLeftWholeTest}, with Qdrant failing the first exact count the check asks for (500): whether the
 * collection holds the backup whole cannot be told, so nothing is dropped; startup stays DOWN saying so, and the boot
 * tries again, which finds it whole. A check that cannot be made is no finding that the collection is incomplete.
 */
@QuarkusTest
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true"), missingCollectionRestoredAfterMillis = 0, restoreLeftUnfinished = true, firstFails = "POST /collections/kairos/points/count")
@ExtendWith(SecretsStayHidden.class)
class BootRestoreLeftCheckFailsTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void aCheckQdrantFailsDropsNothingAndIsTriedAgain() {
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/q/health/started").then()
                .statusCode(503)
                .body("checks[0].data.restoreMessage", startsWith("Startup stays DOWN: whether collection `kairos` "
                        + "needs a restore could not be told (QDRANT_SNAPSHOT_RESTORE_IF_MISSING): "))
                .body("checks[0].data.restoreMessage", containsString("Service internal error: the request failed"))
                .body("checks[0].data.restoreMessage", containsString("; the boot tries again at "))
                .body("checks[0].data.restore", equalTo("waiting"))
                .body("checks[0].data.nextAttemptAt", notNullValue()));

        Awaitility.await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        given().get("/q/health/started").then().body("checks[0].data.restoreMessage", startsWith("Collection "
                + "`kairos` was left by a boot's restore that did not end (started 2026-12-01T03:00:00Z), and holds "));
        assertThat(qdrant.requests("DELETE", "/collections/kairos?")).isEmpty();
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).isEmpty();
        assertThat(qdrant.requests("POST", "/collections/kairos/points/count")).hasSize(2);
    }
}
