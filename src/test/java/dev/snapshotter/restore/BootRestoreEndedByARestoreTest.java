package dev.snapshotter.restore;

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
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * QDRANT_SNAPSHOT_RESTORE_IF_MISSING after a boot whose restore did not end, the collection it left holding part of
 * the backup, and Qdrant failing every drop of it: startup stays DOWN, the record kept, snapshots held, the boot trying
 * again. The operator then restores the collection through the API (overwrite, without the safety snapshot that is
 * held): that restore, checked whole, ends what the boot's left, so its record is removed, and the boot's next try finds
 * the collection there and starts; snapshots resume. Before, the record stayed, and a boot checked the collection
 * against the newest backup, dropping an operator's restore of an older one.
 */
@QuarkusTest
@WithQdrantStandIn(config = {
        @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true") }, missingCollectionRestoredAfterMillis = 0, restoreLeftUnfinished = true, restoreLeftWithPoints = 1000, fails = "DELETE /collections/kairos")
@ExtendWith(SecretsStayHidden.class)
class BootRestoreEndedByARestoreTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void aRestoreOfTheCollectionEndsTheBootRestoreItLeftAndTheBootStarts() {
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/q/health/started").then()
                .statusCode(503).body("checks[0].data.restoreMessage", containsString("and dropping it failed ("))
                .body("checks[0].data.restore", equalTo("waiting")));
        assertThat(qdrant.directory().directory().resolve(".boot-restore.json")).exists();
        String backup = qdrant.directory().list().stream().map(file -> file.getFileName().toString())
                .filter(name -> name.endsWith(".snap")).findFirst().orElseThrow();

        // the boot tries again every few seconds, each try holding the run slot for a moment: a restore sent during
        // one is refused 409 "in progress", as an operator's would be, and sent again
        Response restore = Awaitility.await().atMost(Duration.ofSeconds(20)).until(
                () -> ServiceApi.api().contentType("application/json")
                        .body("{\"overwrite\":true,\"safetySnapshot\":false}")
                        .post("/api/snapshots/" + backup + "/restore"),
                response -> response.statusCode() != 409);
        restore.then().statusCode(200)
                .body("status", equalTo("completed"))
                .body("message", containsString("the record of the boot's restore of collection `kairos` that did not "
                        + "end (started 2026-12-01T03:00:00Z) is removed: this restore ended it"));
        assertThat(qdrant.directory().directory().resolve(".boot-restore.json")).doesNotExist();

        Awaitility.await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        // snapshots are no longer held, and startup went UP once the boot's last try let the slot go
        ServiceApi.trigger().then().statusCode(200);
    }
}
