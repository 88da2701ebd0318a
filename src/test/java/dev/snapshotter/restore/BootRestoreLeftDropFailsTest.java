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
 * QDRANT_SNAPSHOT_RESTORE_IF_MISSING after a boot whose restore did not end, the collection it left holding part of
 * the backup, and Qdrant failing the first drop of it (500): nothing is taken for the collection, and the boot tries
 * again 5 s later, checks it, drops it and restores it, and starts. Before, startup stayed DOWN until a restart ("drop
 * it, and the next boot restores it").
 */
@QuarkusTest
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true"), missingCollectionRestoredAfterMillis = 0, restoreLeftUnfinished = true, restoreLeftWithPoints = 1000, firstFails = "DELETE /collections/kairos")
@ExtendWith(SecretsStayHidden.class)
class BootRestoreLeftDropFailsTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void aDropOfTheLeftCollectionThatQdrantFailsIsTriedAgain() {
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        given().get("/q/health/started").then()
                .body("checks[0].data.restore", equalTo("completed"))
                .body("checks[0].data.restoreMessage", containsString(" whole: Collection `kairos` has 1000 points "
                        + "after the restore, but the snapshot was taken with 1234), so it was dropped first"));
        assertThat(qdrant.requests("DELETE", "/collections/kairos?")).hasSize(2); // failed, then dropped
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).hasSize(1);
        assertThat(qdrant.directory().directory().resolve(".boot-restore.json")).doesNotExist();
    }
}
