package dev.snapshotter.restore;

import static dev.snapshotter.support.ServiceApi.api;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.PackagedApp;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.StandInPerTest;

import io.restassured.response.Response;

/**
 * {@code QDRANT_SNAPSHOT_TIMEOUT=1s}: a restore whose upload Qdrant goes on restoring is followed, and the service
 * restarts (a rollout) before Qdrant's restore ends. The restart follows it again: the run's record turns completed
 * once the collection holds the backup whole, and the directory's record of it goes. Before, a restart ended the
 * following, and the run stayed failed, its advice to upload the whole backup again.
 */
@ExtendWith(StandInPerTest.class)
class UnansweredRestoreRestartIT {

    private static final String TARGET = "kairos_restored";
    private static final String RECORD = ".unanswered-restores.json";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    private Map<String, String> environment() {
        return qdrant.appEnvironment(Map.of("QDRANT_SNAPSHOT_TIMEOUT", "1s"));
    }

    @Test
    void aRestartFollowsAgainTheRestoreQdrantWentOnWith() throws Exception {
        Path planted = dir.plantRestorable(QdrantStandIn.POINTS);
        String upload = SnapshotDir.uploadName(planted);
        qdrant.collectionMissing(TARGET);
        qdrant.aliasesUpdated();
        qdrant.restoresUploads(TARGET, QdrantStandIn.POINTS, upload);
        qdrant.restoreGoesOn(TARGET, upload, 1_500, 1000);
        String run;
        try (PackagedApp.Running first = PackagedApp.start(environment())) {
            first.awaitStarted();
            Response response = api(first).contentType("application/json")
                    .body("{\"collection\":\"" + TARGET + "\",\"aliases\":false}")
                    .post("/api/snapshots/" + planted.getFileName() + "/restore");
            response.then().statusCode(502).body("qdrantStillRestoring", equalTo(true));
            run = response.header("Link").substring(1, response.header("Link").indexOf('>'));
            assertThat(dir.directory().resolve(RECORD)).content().contains(run.substring("/api/runs/".length()))
                    .contains("\"aliases\":false");
            Thread.sleep(1_500); // a check while Qdrant says it restores
            api(first).get(run).then().statusCode(200).body("status", equalTo("failed"));
        }

        qdrant.restoreEnds(TARGET);
        try (PackagedApp.Running second = PackagedApp.start(environment())) {
            second.awaitStarted();
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> api(second).get(run).then()
                    .statusCode(200).body("status", equalTo("completed")));
            api(second).get(run).then()
                    .body("report.qdrantStillRestoring", equalTo(false))
                    .body("report.message", containsString("ended: collection `" + TARGET + "` holds it whole"));
            assertThat(dir.directory().resolve(RECORD)).doesNotExist();
            assertThat(qdrant.requests("POST", "/collections/aliases")).isEmpty(); // asked without them
            assertThat(second.output()).contains("Following again Qdrant's restore of " + planted.getFileName()
                    + " into collection `" + TARGET + "`, which run " + run.substring("/api/runs/".length())
                    + " uploaded and Qdrant did not answer in time (the service restarted meanwhile)");
        }
    }
}
