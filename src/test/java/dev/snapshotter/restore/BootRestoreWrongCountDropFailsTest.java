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
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * QDRANT_SNAPSHOT_RESTORE_IF_MISSING whose restore finds fewer points than the snapshot was taken with, and Qdrant
 * failing the drop of the collection it created: startup stays DOWN, and the record of the restore is kept, so the
 * message says what the next boot does (checks the collection, drops it and restores it again). Before, it said the
 * next boot would take the collection for the real one and start the app on it, which the record prevents.
 */
@QuarkusTest
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true"), missingCollectionRestoredAfterMillis = 0, restoredPoints = 1_000, firstFails = "DELETE /collections/kairos")
@ExtendWith(SecretsStayHidden.class)
class BootRestoreWrongCountDropFailsTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void aCollectionThatCouldNotBeDroppedIsLeftToTheNextBootsCheck() {
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/q/health/started").then()
                .statusCode(503).body("checks[0].data.restore", equalTo("failed")));
        given().get("/q/health/started").then()
                .body("checks[0].data.restoreMessage", containsString("; dropping collection `kairos`, which this "
                        + "restore created, failed (Qdrant answered 500 to delete collection `kairos`: "))
                .body("checks[0].data.restoreMessage", containsString("): its record is kept, so the next boot checks "
                        + "it against the backup, and drops it and restores it again (or drop it)"));
        assertThat(qdrant.directory().directory().resolve(".boot-restore.json")).exists();
    }
}
