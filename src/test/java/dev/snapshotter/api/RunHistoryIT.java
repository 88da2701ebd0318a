package dev.snapshotter.api;

import static dev.snapshotter.support.ServiceApi.api;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.PackagedApp;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.StandInPerTest;
import dev.snapshotter.support.TestData;

import io.restassured.path.json.JsonPath;

/** The packaged app restarted on the same directory: {@code GET /api/runs} still lists the runs of before, newest first. */
@ExtendWith(StandInPerTest.class)
class RunHistoryIT {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void theRunsOfBeforeARestartAreStillListed() throws Exception {
        List<String> before;
        try (PackagedApp.Running first = PackagedApp.start(qdrant.appEnvironment())) {
            first.awaitStarted();
            qdrant.snapshotServed("kairos", TestData.snapshot(4096));
            api(first).post("/api/snapshot").then().statusCode(200);
            qdrant.createFails("kairos", 500, "Service internal error: boom");
            api(first).post("/api/snapshot").then().statusCode(502);
            before = api(first).get("/api/runs").then().statusCode(200).extract().jsonPath().getList("id");
            assertThat(before).hasSize(2);
        }

        try (PackagedApp.Running second = PackagedApp.start(qdrant.appEnvironment())) {
            second.awaitStarted();
            JsonPath runs = api(second).get("/api/runs").then().statusCode(200).extract().jsonPath();
            assertThat(runs.getList("id", String.class)).containsExactlyElementsOf(before);
            assertThat(runs.getList("status", String.class)).containsExactly("failed", "completed");
            assertThat(runs.getString("[0].report.targets[0].message")).contains("boom");
            api(second).get("/api/runs/" + before.get(1)).then().statusCode(200);
        }
    }

    /**
     * The process is killed (SIGKILL: an eviction, the OOM killer) during a run: after the restart, the run its caller
     * polls is listed as failed, saying why, rather than gone (404). Before, the journal knew only of finished runs.
     */
    @Test
    void aRunTheProcessWasKilledDuringIsListedAsFailedAfterTheRestart() throws Exception {
        String id;
        try (PackagedApp.Running first = PackagedApp.start(qdrant.appEnvironment())) {
            first.awaitStarted();
            qdrant.aliasesAnswerAfter(60_000); // the run waits on Qdrant
            CompletableFuture.runAsync(() -> api(first).post("/api/snapshot"));
            id = Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> api(first).get("/api/runs").then()
                    .statusCode(200).extract().jsonPath().<String> get("find { it.status == 'running' }.id"),
                    running -> running != null);
            first.process().destroyForcibly().waitFor();
        }
        qdrant.aliasesAnswerAfter(0); // Qdrant answers again
        qdrant.snapshotServed("kairos", TestData.snapshot(4096));

        try (PackagedApp.Running second = PackagedApp.start(qdrant.appEnvironment())) {
            second.awaitStarted();
            api(second).get("/api/runs/" + id).then().statusCode(200)
                    .body("status", equalTo("failed"))
                    .body("reason", equalTo("api"))
                    .body("finishedAt", nullValue())
                    .body("message", startsWith("The process stopped during this run (killed, evicted, out of memory, "
                            + "or a shutdown that did not wait for its end): it did not end and made no report; a "
                            + "snapshot it was taking was not published"));
            assertThat(second.output()).contains("Run " + id + " (reason api, started ");
            // the next run journals beside it
            api(second).post("/api/snapshot").then().statusCode(200);
            assertThat(api(second).get("/api/runs").then().extract().jsonPath().getList("status", String.class))
                    .containsExactly("completed", "failed");
        }
    }

    /**
     * The process is killed while a restore uploads its snapshot: after the restart, its run names the snapshot and
     * the collection it may have left half restored, the one to check. Before, it said "its target collection" only,
     * which the operator had to find in the log of the process that died.
     */
    @Test
    void aRestoreTheProcessWasKilledDuringNamesTheCollectionItWasRestoring() throws Exception {
        Path planted = qdrant.directory().plantRestorable(QdrantStandIn.POINTS);
        String file = planted.getFileName().toString();
        String id;
        try (PackagedApp.Running first = PackagedApp.start(qdrant.appEnvironment())) {
            first.awaitStarted();
            qdrant.collectionMissing("kairos_restored");
            // Qdrant takes the upload and does not answer: the restore goes on until the kill
            qdrant.restoresUploads("kairos_restored", QdrantStandIn.POINTS, SnapshotDir.uploadName(planted), 60_000);
            // and says it restores it still, for long: the restart follows that restore, and the run stays as it was
            qdrant.restoreGoesOn("kairos_restored", SnapshotDir.uploadName(planted), 60_000, 1000);
            CompletableFuture.runAsync(() -> api(first).contentType("application/json")
                    .body("{\"collection\":\"kairos_restored\"}").post("/api/snapshots/" + file + "/restore"));
            id = Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> api(first).get("/api/runs").then()
                    .statusCode(200).extract().jsonPath().<String> get("find { it.collection == 'kairos_restored' }.id"),
                    running -> running != null);
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(
                    () -> !qdrant.requests("POST", "/collections/kairos_restored/snapshots/upload").isEmpty());
            first.process().destroyForcibly().waitFor();
        }

        try (PackagedApp.Running second = PackagedApp.start(qdrant.appEnvironment())) {
            second.awaitStarted();
            api(second).get("/api/runs/" + id).then().statusCode(200)
                    .body("status", equalTo("failed"))
                    .body("reason", equalTo("restore"))
                    .body("file", equalTo(file))
                    .body("collection", equalTo("kairos_restored"))
                    .body("message", equalTo("The process stopped during this run (killed, evicted, out of memory, "
                            + "or a shutdown that did not wait for its end): it did not end and made no report; it was "
                            + "restoring " + file + " into collection `kairos_restored`, which it may have left holding "
                            + "part of that backup: check it, or restore again with overwrite"));
        }
    }
}
