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
 * A collection left by a boot's restore that did not end, and no backup to restore it again from (deleted since): it
 * is kept, not dropped for nothing, and startup stays DOWN saying what to do, rather than start the app on it.
 */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.on-start", value = "true"),
        @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true") }, restoreLeftUnfinished = true)
@ExtendWith(SecretsStayHidden.class)
class BootRestoreUnfinishedWithoutBackupTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void withoutABackupToRestoreItAgainTheCollectionIsKeptAndStartupStaysDown() {
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/q/health/started").then()
                .statusCode(503).body("checks[0].data.restore", equalTo("failed")));

        given().get("/q/health/started").then().statusCode(503)
                .body("checks[0].data.restoreMessage", containsString("Startup stays DOWN: collection `kairos` was "
                        + "left by a boot's restore that did not end (started 2026-12-01T03:00:00Z): Qdrant may hold "
                        + "only part of the backup in it, and it is kept: no backup to restore it again from could be "
                        + "had (No verified snapshot of `kairos` (QDRANT_COLLECTION) is in "))
                .body("checks[0].data.restoreMessage", containsString("check it, then drop it (the next boot restores "
                        + "it) or delete "))
                .body("checks[0].data.restoreMessage", containsString("/.boot-restore.json to start the app on it"));
        assertThat(qdrant.requests("DELETE", "/collections/kairos")).isEmpty();
        assertThat(qdrant.directory().directory().resolve(".boot-restore.json")).exists();
    }
}
