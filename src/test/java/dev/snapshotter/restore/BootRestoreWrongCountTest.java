package dev.snapshotter.restore;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * QDRANT_SNAPSHOT_RESTORE_IF_MISSING whose restore finds fewer points than the snapshot was taken with: startup stays
 * DOWN saying so, and the collection the restore created is dropped again. Kept, the next boot (a restarted container)
 * would find the collection there, take it for the real one, and start the app on what the restore lost. A restore of
 * the collection through the API that completes then has the boot check it again and start (before: DOWN until a
 * restart).
 */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.on-start", value = "true"),
        @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true") }, missingCollectionRestoredAfterMillis = 0, restoredPoints = 1_000)
@ExtendWith(SecretsStayHidden.class)
class BootRestoreWrongCountTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void aRestoreThatLostPointsKeepsStartupDownAndDropsTheCollectionItCreated() {
        startupStaysDownAndTheRestoredCollectionIsDropped(qdrant, "Collection `kairos` has 1000 points after the "
                + "restore, but the snapshot was taken with 1234");

        // the operator restores the collection through the API, and Qdrant restores it whole this time: the boot
        // checks it again and starts, without a restart
        Path backup = qdrant.directory().list().stream().filter(file -> file.toString().endsWith(".snap")).findFirst()
                .orElseThrow();
        qdrant.restoresUploadsTo(Pattern.quote(QdrantStandIn.COLLECTION), QdrantStandIn.POINTS,
                SnapshotDir.uploadName(backup), 0, QdrantStandIn.SAMPLE_IDS);
        ServiceApi.api().contentType("application/json").body("{}").post("/api/restore").then().statusCode(200)
                .body("status", equalTo("completed"))
                .body("message", containsString("the boot, which had failed on collection `kairos`, checks it again"));
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
    }

    /**
     * Startup stays DOWN with the boot's restore failed on {@code problem}, and the collection it created dropped
     * again (the {@code DELETE} sent).
     */
    static void startupStaysDownAndTheRestoredCollectionIsDropped(QdrantStandIn qdrant, String problem) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/q/health/started").then()
                .statusCode(503).body("checks[0].data.restore", equalTo("failed")));

        given().get("/q/health/started").then().statusCode(503)
                .body("checks[0].data.restoreMessage", containsString("Startup stays DOWN: collection `kairos` is "
                        + "missing on Qdrant and its restore from "))
                .body("checks[0].data.restoreMessage", containsString(problem))
                .body("checks[0].data.restoreMessage", containsString("; collection `kairos`, which this restore "
                        + "created, is dropped again, so the next boot restores it again rather than start the app on "
                        + "it"));
        assertThat(qdrant.requests("DELETE", "/collections/kairos")).extracting(LoggedRequest::getUrl)
                .contains("/collections/kairos?wait=true");
    }
}
