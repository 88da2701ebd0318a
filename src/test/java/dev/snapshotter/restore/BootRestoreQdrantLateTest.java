package dev.snapshotter.restore;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * QDRANT_SNAPSHOT_RESTORE_IF_MISSING with a Qdrant that comes up 6 s after the service and a 1 s QDRANT_WAIT_TIMEOUT:
 * whether the collection needs a restore cannot be told in time, so startup stays DOWN saying so, snapshots are held,
 * and the boot tries again (2 s, then doubling); once Qdrant is up the missing collection is restored and startup goes
 * UP. Before, startup stayed DOWN for good: the app beside it waited for a restart (the startup probe's, after an hour).
 */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true"),
        @ResourceArg(name = "qdrant.wait-timeout", value = "1s") }, missingCollectionRestoredAfterMillis = 0, startsAfterMillis = 6000)
@ExtendWith(SecretsStayHidden.class)
class BootRestoreQdrantLateTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void theBootTriesAgainUntilQdrantIsUpThenRestoresTheMissingCollection() {
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/q/health/started").then()
                .statusCode(503)
                .body("checks[0].data.restoreMessage", startsWith("Startup stays DOWN: "))
                .body("checks[0].data.restoreMessage", containsString("did not become ready within 1s"))
                .body("checks[0].data.restoreMessage", containsString("; the boot tries again at "))
                .body("checks[0].data.restore", equalTo("waiting"))
                .body("checks[0].data.nextAttemptAt", notNullValue()));
        ServiceApi.trigger().then().statusCode(409).body("title", equalTo("Snapshots held"))
                .body("detail", startsWith("No snapshot is taken: the boot has not ended its check or restore of "
                        + "collection `kairos` yet"));

        Awaitility.await().atMost(Duration.ofSeconds(40))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        given().get("/q/health/started").then()
                .body("checks[0].data.restore", equalTo("completed"))
                .body("checks[0].data.restoreMessage", startsWith("Collection `kairos` was missing on Qdrant; "
                        + "restored `kairos` from "));
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).hasSize(1);
        ServiceApi.api().get("/api/runs").then()
                .body("findAll { it.reason == 'startup' && it.status == 'failed' }.message",
                        hasItem(containsString("; the boot tries again at ")));
        ServiceApi.trigger().then().statusCode(200); // snapshots are no longer held
    }
}
