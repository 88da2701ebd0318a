package dev.snapshotter.restore;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

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
 * QDRANT_SNAPSHOT_RESTORE_IF_MISSING with {@code QDRANT_SNAPSHOT_TIMEOUT=1s}, and a Qdrant that takes 3 s to restore the
 * upload: startup stays DOWN, its record kept, and the advice is the boot's own (restart once Qdrant has ended: the
 * boot then checks the collection, {@link BootRestoreLeftWholeTest}), not an API restore's "restore again with
 * overwrite", which would upload the whole backup again.
 */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true"),
        @ResourceArg(name = "qdrant.snapshot.timeout", value = "1s") }, missingCollectionRestoredAfterMillis = 3_000)
@ExtendWith(SecretsStayHidden.class)
class BootRestoreUploadTimeoutTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void aBootRestoreQdrantGoesOnRestoringKeepsStartupDownAndSaysARestartChecksTheCollection() {
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/q/health/started").then()
                .statusCode(503)
                .body("checks[0].data.restoreMessage", containsString("Startup stays DOWN: collection `kairos` is "
                        + "missing on Qdrant and its restore from ")));
        given().get("/q/health/started").then()
                .body("checks[0].data.restoreMessage", containsString("and restores it in a task that neither a "
                        + "timeout nor a closed connection stops: collection `kairos` may yet be written with it"))
                .body("checks[0].data.restoreMessage", containsString(", restart the service: the boot checks "
                        + "collection `kairos` against it, and takes it as restored when it holds it whole (or drops it "
                        + "and restores it again)"))
                .body("checks[0].data.restoreMessage", not(containsString("restore again with overwrite")));
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).hasSize(1);
        assertThat(qdrant.directory().directory().resolve(".boot-restore.json")).exists();
    }
}
