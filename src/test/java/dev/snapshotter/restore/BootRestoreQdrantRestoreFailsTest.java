package dev.snapshotter.restore;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Path;
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

/**
 * QDRANT_SNAPSHOT_RESTORE_IF_MISSING with {@code QDRANT_SNAPSHOT_TIMEOUT=1s}, and a Qdrant that answers the upload after
 * 3 s and goes on restoring it, then ends that restore without restoring the collection whole (it failed, or Qdrant
 * restarted during it), its telemetry listing no restore of it going: the boot drops what it left and restores it
 * again, startup UP without a restart. Before, the boot waited for it to become whole, startup DOWN, until a restart
 * (an hour with the shipped startup probe).
 */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true"),
        @ResourceArg(name = "qdrant.snapshot.timeout", value = "1s") }, missingCollectionRestoredAfterMillis = 3_000, restoreGoesOnWithPoints = 1000)
@ExtendWith(SecretsStayHidden.class)
class BootRestoreQdrantRestoreFailsTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void aBootRestoreQdrantEndsWithoutRestoringItIsRestoredAgainWithoutARestart() {
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/q/health/started").then()
                .statusCode(503)
                .body("checks[0].data.restoreMessage", containsString("did not answer in time: it does not hold it "
                        + "whole yet ("))
                .body("checks[0].data.restoreMessage", containsString("once it holds it whole the boot takes it as "
                        + "restored, and should Qdrant's restore end without that, the boot restores it again")));
        Path planted = qdrant.directory().list().stream().filter(file -> file.toString().endsWith(".snap")).findFirst()
                .orElseThrow();

        qdrant.restoreFails(QdrantStandIn.COLLECTION, SnapshotDir.uploadName(planted), 1000);

        Awaitility.await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        given().get("/q/health/started").then()
                .body("checks[0].data.restore", equalTo("completed"))
                .body("checks[0].data.restoreMessage", containsString("Collection `kairos` was missing on Qdrant; "
                        + "restored `kairos` from " + planted.getFileName() + " (1234 points"))
                .body("checks[0].data.restoreMessage", containsString("collection `kairos` was left by a boot's restore "
                        + "that did not end (started "))
                .body("checks[0].data.restoreMessage", containsString("so it was dropped first"));
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).hasSize(2);
        assertThat(qdrant.requests("DELETE", "/collections/kairos?")).hasSize(1);
        assertThat(qdrant.directory().directory().resolve(".boot-restore.json")).doesNotExist();
        ServiceApi.trigger().then().statusCode(200); // snapshots resumed
    }
}
