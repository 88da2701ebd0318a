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
 * QDRANT_SNAPSHOT_RESTORE_IF_MISSING with {@code QDRANT_SNAPSHOT_TIMEOUT=1s}, and a Qdrant that takes 3 s to restore the
 * upload: startup stays DOWN, its record kept, and the advice is the boot's own (restart once Qdrant has ended: the
 * boot then checks the collection, {@link BootRestoreLeftWholeTest}), not an API restore's "restore again with
 * overwrite", which would upload the whole backup again. Until a boot ends that restore, no snapshot is taken, neither
 * scheduled (a cron firing each second here) nor asked for: Qdrant may hold part of the backup, and a snapshot of it
 * would be the newest backup, kept by retention in place of good ones (a restore's safety snapshot included). Before,
 * the cron schedule took it.
 */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true"),
        @ResourceArg(name = "qdrant.snapshot.timeout", value = "1s"),
        @ResourceArg(name = "qdrant.snapshot.schedule", value = "* * * * * ?") }, missingCollectionRestoredAfterMillis = 3_000)
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

    @Test
    void noSnapshotIsTakenOfTheCollectionWhileTheBootHasNotEndedItsRestore() {
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(503)
                        .body("checks[0].data.restoreMessage", containsString("Startup stays DOWN: ")));
        String held = "No snapshot is taken: the boot did not end its check or restore of collection `kairos` "
                + "(QDRANT_SNAPSHOT_RESTORE_IF_MISSING; GET /q/health/started says why), so Qdrant may hold part of a "
                + "backup in it";

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
