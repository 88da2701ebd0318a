package dev.snapshotter.restore;

import static dev.snapshotter.support.ServiceApi.api;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;

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
 * The restart follows a restore whose upload Qdrant had whole and goes on restoring, and turns its run's record completed
 * once the collection holds the backup whole. With {@code QDRANT_SNAPSHOT_TIMEOUT=1s}, one Qdrant did not answer in time
 * and the service followed, restarted (a rollout) before Qdrant's restore ended: before, a restart ended the following,
 * and the run stayed failed, its advice to upload the whole backup again. And one whose answer was still awaited (Qdrant
 * restores a large backup for minutes) when the process was killed (an eviction) or shut down (a rollout): before, its
 * run stayed listed as the process stopped during it, its advice to check the collection or to upload the whole backup
 * again.
 */
@ExtendWith(StandInPerTest.class)
class UnansweredRestoreRestartIT {

    private static final String TARGET = "kairos_restored";
    private static final String RECORD = ".unanswered-restores.json";
    /** How the restore a timeout ended was left going, as the messages of its following say. */
    private static final String FOLLOWED_AGAIN = "uploaded and Qdrant did not answer in time";
    /** How the restore the process stopped during was left going. */
    private static final String STOPPED = "had uploaded whole when the process stopped";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    private Map<String, String> environment() {
        return qdrant.appEnvironment(Map.of("QDRANT_SNAPSHOT_TIMEOUT", "1s"));
    }

    @Test
    void aRestartFollowsAgainTheRestoreQdrantWentOnWith() throws Exception {
        Path planted = plant(1_500);
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
        followedAfterTheRestart(planted, run.substring("/api/runs/".length()), FOLLOWED_AGAIN);
    }

    @Test
    void aRestoreTheProcessWasKilledDuringOnceQdrantHadItsUploadIsFollowedAfterTheRestart() throws Exception {
        Path planted = plant(15_000);
        String id = stoppedAwaitingQdrant(planted, UnansweredRestoreRestartIT::killed);
        assertThat(dir.directory().resolve(RECORD)).content().contains(id).contains("\"aliases\":false");

        qdrant.restoreEnds(TARGET);
        followedAfterTheRestart(planted, id, STOPPED);
    }

    /**
     * The same stopped by a shutdown (SIGTERM: a rollout), which cannot cancel the restore: it waits 4 s for the run,
     * says that it goes on without it, and the process ends (here once Qdrant's answer came, after the service had
     * stopped: nothing of the run is recorded then, and nothing fails loudly). Before, the shutdown said "The cancelled
     * snapshot run did not finish", and the late answer logged an ERROR ("failed unexpectedly: ArC container not
     * initialized").
     */
    @Test
    void aRestoreTheShutdownDidNotWaitForIsFollowedAfterTheRestart() throws Exception {
        Path planted = plant(15_000);
        String id = stoppedAwaitingQdrant(planted, (first, run) -> {
            first.close();
            assertThat(first.output()).contains("Run " + run + " had not ended 4s into the shutdown, which goes on "
                    + "without it: Qdrant restores the upload to its end in a task of its own, and after the "
                    + "restart the service checks what it left").doesNotContain("ERROR");
        });
        assertThat(dir.directory().resolve(RECORD)).content().contains(id);

        qdrant.restoreEnds(TARGET);
        followedAfterTheRestart(planted, id, STOPPED);
    }

    /**
     * Where Qdrant does not tell whether its restore still goes on (a Qdrant before 1.16), a restore the process stopped
     * during is followed a day from its start, no longer: one whose collection then still holds part of the backup only
     * (Qdrant's restore died with it) is told so in its run's record, and no longer followed. Planted as a run the
     * process was killed during a day and an hour ago.
     */
    @Test
    void aRestoreQdrantTellsNothingOfIsNoLongerFollowedADayAfterItBegan() throws Exception {
        Path planted = plant(15_000);
        qdrant.telemetrySaysNothingOfRestores(false);
        String id = stoppedAwaitingQdrant(planted, UnansweredRestoreRestartIT::killed);
        Path journal = dir.directory().resolve(".runs.journal");
        String dayAgo = Instant.now().minus(Duration.ofHours(25)).toString();
        Files.writeString(journal, Files.readAllLines(journal).stream()
                .map(line -> line.contains("\"id\":\"" + id + "\"")
                        ? line.replaceFirst("\"startedAt\":\"[^\"]+\"", "\"startedAt\":\"" + dayAgo + "\"")
                        : line)
                .collect(Collectors.joining("\n", "", "\n")));

        try (PackagedApp.Running second = PackagedApp.start(qdrant.appEnvironment(Map.of()))) {
            second.awaitStarted();
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> api(second).get("/api/runs/" + id)
                    .then().statusCode(200).body("report.qdrantStillRestoring", equalTo(false)));
            api(second).get("/api/runs/" + id).then().body("status", equalTo("failed"))
                    .body("report.remarks", hasItem(containsString("Qdrant's restore of " + planted.getFileName()
                            + " into collection `" + TARGET + "`, which run " + id + " " + STOPPED + ", is no longer "
                            + "followed, a day after it began: collection `" + TARGET + "` does not hold it whole (")))
                    .body("report.remarks", hasItem(containsString("and Qdrant does not tell whether its restore "
                            + "ended")));
            assertThat(dir.directory().resolve(RECORD)).doesNotExist();
            assertThat(second.output()).contains("is no longer followed, a day after it began");
        }
    }

    /**
     * A restorable backup, and a Qdrant that answers its upload into {@link #TARGET} {@code answerMillis} after it has
     * it, restoring it (1000 points so far) until {@link QdrantStandIn#restoreEnds}.
     */
    private Path plant(int answerMillis) {
        Path planted = dir.plantRestorable(QdrantStandIn.POINTS);
        String upload = SnapshotDir.uploadName(planted);
        qdrant.collectionMissing(TARGET);
        qdrant.aliasesUpdated();
        qdrant.restoresUploads(TARGET, QdrantStandIn.POINTS, upload);
        qdrant.restoreGoesOn(TARGET, upload, answerMillis, 1000);
        return planted;
    }

    /** How a test stops the process while Qdrant's answer to run {@code id}'s upload is awaited. */
    private interface Stop {
        void stop(PackagedApp.Running app, String id) throws Exception;
    }

    /** Killed (evicted, out of memory) while the answer is awaited. */
    private static void killed(PackagedApp.Running app, String id) throws InterruptedException {
        app.process().destroyForcibly().waitFor();
    }

    /**
     * A process started, a restore of {@code planted} in it awaiting Qdrant's answer to its whole upload, then the
     * process stopped so: the run's id.
     */
    private String stoppedAwaitingQdrant(Path planted, Stop stop) throws Exception {
        try (PackagedApp.Running first = PackagedApp.start(qdrant.appEnvironment(Map.of()))) {
            String id = restoreAwaitingQdrant(first, planted);
            stop.stop(first, id);
            return id;
        }
    }

    /** Starts a restore of {@code planted} without aliases and waits until Qdrant has its upload: the run's id. */
    private String restoreAwaitingQdrant(PackagedApp.Running app, Path planted) {
        app.awaitStarted();
        String id = api(app).header("Prefer", "respond-async").contentType("application/json")
                .body("{\"collection\":\"" + TARGET + "\",\"aliases\":false}")
                .post("/api/snapshots/" + planted.getFileName() + "/restore").then().statusCode(202).extract()
                .path("id");
        Path record = dir.directory().resolve(RECORD);
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> Files.exists(record) && Files.readString(record).contains(id));
        api(app).get("/api/runs/" + id).then().statusCode(200).body("status", equalTo("running"))
                .body("phase", equalTo("restoring"));
        return id;
    }

    /**
     * After a restart, run {@code id} turns completed once the collection holds the backup whole, its messages saying
     * how the run left Qdrant's restore going ({@code how}: {@link #FOLLOWED_AGAIN} or {@link #STOPPED}).
     */
    private void followedAfterTheRestart(Path planted, String id, String how) throws Exception {
        try (PackagedApp.Running second = PackagedApp.start(qdrant.appEnvironment(Map.of()))) {
            second.awaitStarted();
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> api(second).get("/api/runs/" + id)
                    .then().statusCode(200).body("status", equalTo("completed")));
            api(second).get("/api/runs/" + id).then()
                    .body("report.qdrantStillRestoring", equalTo(false))
                    .body("report.pointsFound", equalTo((int) QdrantStandIn.POINTS))
                    .body("report.message", containsString("Qdrant's restore of " + planted.getFileName()
                            + " into collection `" + TARGET + "`, which run " + id + " " + how + ", ended: collection `"
                            + TARGET + "` holds it whole"));
            assertThat(dir.directory().resolve(RECORD)).doesNotExist();
            assertThat(qdrant.requests("POST", "/collections/aliases")).isEmpty(); // asked without them
            assertThat(second.output()).contains((how.equals(STOPPED) ? "Following Qdrant's restore of "
                    : "Following again Qdrant's restore of ") + planted.getFileName() + " into collection `" + TARGET
                    + "`, which run " + id + " " + how);
            assertThat(api(second).get("/q/metrics").asString())
                    .contains("snapshotter_restores_total{result=\"completed\"} 1.0");
        }
    }
}
