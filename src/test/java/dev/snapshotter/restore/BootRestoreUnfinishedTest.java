package dev.snapshotter.restore;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * QDRANT_SNAPSHOT_RESTORE_IF_MISSING after a boot whose restore did not end (the process stopped once Qdrant had the
 * upload, or the upload timed out while Qdrant went on restoring): Qdrant creates the collection before it has restored
 * its shards, so the collection found now may hold part of the backup only. It is dropped (the copy of the upload
 * Qdrant keeps deleted first) and restored again; before, the boot found it there, restored nothing, and let the app
 * start on it.
 */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.on-start", value = "true"),
        @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true") }, missingCollectionRestoredAfterMillis = 0, restoreLeftUnfinished = true, restoreLeftWithPoints = 1000)
@ExtendWith(SecretsStayHidden.class)
class BootRestoreUnfinishedTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void aCollectionLeftByABootRestoreThatDidNotEndIsDroppedAndRestoredAgain() {
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        given().get("/q/health/started").then()
                .body("checks[0].data.restore", equalTo("completed"))
                .body("checks[0].data.restoreMessage", containsString("(1234 points, aliases kairos_live); no boot "
                        + "snapshot of the restored data; collection `kairos` was left by a boot's restore that did "
                        + "not end (started 2026-12-01T03:00:00Z): Qdrant may hold only part of the backup in it (it "
                        + "is not "))
                .body("checks[0].data.restoreMessage", containsString(" whole: Collection `kairos` has 1000 points "
                        + "after the restore, but the snapshot was taken with 1234), so it was dropped first"));

        List<String> deletes = qdrant.requests("DELETE", "/collections/kairos").stream().map(LoggedRequest::getUrl)
                .toList(); // newest first
        assertThat(deletes).hasSizeGreaterThanOrEqualTo(2);
        assertThat(deletes.get(deletes.size() - 1)).startsWith("/collections/kairos/snapshots/restore-");
        assertThat(deletes.get(deletes.size() - 2)).isEqualTo("/collections/kairos?wait=true");
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).hasSize(1);
        assertThat(qdrant.directory().directory().resolve(".boot-restore.json")).doesNotExist();
    }
}
