package dev.snapshotter.restore;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
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
 * QDRANT_SNAPSHOT_RESTORE_IF_MISSING with {@code QDRANT_SNAPSHOT_TIMEOUT=1s}, and a Qdrant that takes 3 s to answer the
 * upload and goes on restoring it after (the collection there, with part of the backup's points): startup stays DOWN,
 * its record kept, and the boot checks the collection from time to time, never uploading again nor dropping it while
 * Qdrant may still be writing it ({@link BootRestoreQdrantGoesOnTest}: it is taken as restored once whole). The advice
 * is the boot's own, not an API restore's "restore again with overwrite", which would upload the whole backup again.
 * Until a boot ends that restore, no snapshot is taken, neither scheduled (a cron firing each second here) nor asked
 * for: Qdrant may hold part of the backup, and a snapshot of it would be the newest backup, kept by retention in place
 * of good ones (a restore's safety snapshot included). Before, the cron schedule took it.
 */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true"),
        @ResourceArg(name = "qdrant.snapshot.timeout", value = "1s"),
        @ResourceArg(name = "qdrant.snapshot.schedule", value = "* * * * * ?") }, missingCollectionRestoredAfterMillis = 3_000, restoreGoesOnWithPoints = 1000)
@ExtendWith(SecretsStayHidden.class)
class BootRestoreUploadTimeoutTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void aBootRestoreQdrantGoesOnRestoringKeepsStartupDownWhileTheBootChecksTheCollection() {
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/q/health/started").then()
                .statusCode(503).body("checks[0].data.restore", equalTo("waiting"))
                .body("checks[0].data.restoreMessage", containsString("Startup stays DOWN: collection `kairos` is "
                        + "missing on Qdrant and its restore from ")));
        given().get("/q/health/started").then()
                .body("checks[0].data.restoreMessage", containsString("and restores it in a task that neither a "
                        + "timeout nor a closed connection stops: collection `kairos` may yet be written with it"))
                .body("checks[0].data.restoreMessage", containsString("; the boot checks collection `kairos` from time "
                        + "to time, and takes it as restored once it holds "))
                .body("checks[0].data.restoreMessage", containsString(" whole; should Qdrant's restore end without "
                        + "that, the boot drops what it left and restores it again (Qdrant 1.16 or later tells when "
                        + "its restore ends, a cluster through every node in QDRANT_CLUSTER_NODES; with another, "
                        + "restart the service once Qdrant's log shows that it ended); the boot tries again at "))
                .body("checks[0].data.restoreMessage", not(containsString("restore again with overwrite")));
        // checked again: not whole yet, so neither dropped nor uploaded again
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/q/health/started").then()
                .statusCode(503).body("checks[0].data.restore", equalTo("waiting"))
                .body("checks[0].data.restoreMessage", containsString("Startup stays DOWN: Qdrant goes on restoring "))
                .body("checks[0].data.restoreMessage", containsString(" into collection `kairos`, which the boot "
                        + "uploaded (started "))
                .body("checks[0].data.restoreMessage",
                        containsString("did not answer in time: it does not hold it whole yet (Collection "
                                + "`kairos` has 1000 points after the restore, but the snapshot was taken with 1234); once it "
                                + "holds it whole the boot takes it as restored")));
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).hasSize(1);
        assertThat(qdrant.requests("DELETE", "/collections/kairos?")).isEmpty();
        assertThat(qdrant.directory().directory().resolve(".boot-restore.json")).exists();
    }

    @Test
    void noSnapshotIsTakenOfTheCollectionWhileTheBootHasNotEndedItsRestore() {
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(503)
                        .body("checks[0].data.restoreMessage", containsString("Startup stays DOWN: ")));
        String held = "No snapshot is taken: the boot has not ended its check or restore of collection `kairos` yet "
                + "(QDRANT_SNAPSHOT_RESTORE_IF_MISSING; GET /q/health/started says why)";

        ServiceApi.trigger().then().statusCode(409).contentType("application/problem+json")
                .body("title", equalTo("Snapshots held"))
                .body("detail", startsWith(held));
        // the cron fires each second: its firings are skipped, saying why
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> ServiceApi.api().get("/api/runs").then()
                .body("findAll { it.reason == 'schedule' }.status", everyItem(equalTo("skipped")))
                .body("findAll { it.reason == 'schedule' }.message", hasItem(startsWith("Scheduled snapshot skipped: "
                        + held))));
        // nor the snapshot a restore takes before it overwrites the collection: it would be the newest backup
        String backup = qdrant.directory().list().stream().map(file -> file.getFileName().toString())
                .filter(name -> name.endsWith(".snap")).findFirst().orElseThrow();
        ServiceApi.api().contentType("application/json").body("{\"overwrite\":true}")
                .post("/api/snapshots/" + backup + "/restore").then().statusCode(409)
                .body("title", equalTo("Restore refused"))
                .body("detail", startsWith("The restore was not started: the snapshot of `kairos` to take before "
                        + "overwriting it is refused. " + held))
                .body("detail", containsString("ask again with safetySnapshot false (--no-safety-snapshot) to overwrite "
                        + "it without one"));
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots?")).isEmpty();
        assertThat(qdrant.directory().list()).filteredOn(file -> file.getFileName().toString().endsWith(".snap"))
                .hasSize(1); // the backup the boot restores, alone
    }
}
