package dev.snapshotter.restore;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
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
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * QDRANT_SNAPSHOT_RESTORE_IF_MISSING with {@code QDRANT_SNAPSHOT_TIMEOUT=1s}, and a Qdrant that answers the upload after
 * 3 s and goes on restoring it after: the boot checks the collection from time to time and, once Qdrant holds the
 * backup whole, takes it as restored, startup UP, records gone, snapshots resumed, with one upload; the run history
 * keeps the boot's last try that waited, not one per try. Before, startup
 * stayed DOWN until a restart (an hour with the shipped startup probe), for a restore that Qdrant had ended by itself.
 */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true"),
        @ResourceArg(name = "qdrant.snapshot.timeout", value = "1s") }, missingCollectionRestoredAfterMillis = 3_000, restoreGoesOnWithPoints = 1000)
@ExtendWith(SecretsStayHidden.class)
class BootRestoreQdrantGoesOnTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void aBootRestoreQdrantEndsByItselfIsTakenAsRestoredWithoutARestart() {
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/q/health/started").then()
                .statusCode(503)
                .body("checks[0].data.restoreMessage",
                        containsString("did not answer in time: it does not hold it whole yet (")));

        qdrant.restoreEnds(QdrantStandIn.COLLECTION);

        Awaitility.await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        given().get("/q/health/started").then()
                .body("checks[0].data.restore", equalTo("completed"))
                .body("checks[0].data.restoreMessage", containsString("Collection `kairos` was restored by Qdrant "
                        + "after the boot's upload of "))
                .body("checks[0].data.restoreMessage", containsString(" whole (1234 points; aliases "
                        + "kairos_live): taken as restored; no boot snapshot of the restored data"));
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).hasSize(1);
        assertThat(qdrant.requests("DELETE", "/collections/kairos?")).isEmpty();
        assertThat(qdrant.directory().directory().resolve(".boot-restore.json")).doesNotExist();
        // the boot tried twice and said so: its history keeps the last try that waited, not one entry per try, then
        // the restore it took (before: a failed run without a message), and no boot snapshot, newest first
        ServiceApi.api().get("/api/runs").then()
                .body("findAll { it.reason == 'startup' }.status", contains("skipped", "completed", "failed"))
                .body("findAll { it.reason == 'startup' }[1].report.pointsFound", equalTo(1234))
                .body("findAll { it.reason == 'startup' }[2].message", containsString("did not answer in time: it does "
                        + "not hold it whole yet ("));
        ServiceApi.trigger().then().statusCode(200);
    }
}
