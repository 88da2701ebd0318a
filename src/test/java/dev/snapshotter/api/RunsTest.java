package dev.snapshotter.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Runs as operators follow them: every run listed with its id and report (newest first, kept in the journal), a
 * trigger answered at once with {@code Prefer: respond-async} and followed at {@code /api/runs/{id}}, and a run
 * cancelled through {@code DELETE /api/runs/{id}} with a shutdown's guarantees (nothing kept, its waiting caller
 * answered 503).
 */
@QuarkusTest
@WithQdrantStandIn
@ExtendWith(SecretsStayHidden.class)
class RunsTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @BeforeEach
    void reset() {
        qdrant.reset();
    }

    private static RequestSpecification api() {
        return given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN);
    }

    @Test
    void everyRunIsListedNewestFirstWithItsReportAndJournalled() throws Exception {
        qdrant.snapshotServed("kairos", TestData.snapshot(8192));
        ServiceApi.trigger().then().statusCode(200);
        qdrant.createFails("kairos", 500, "Service internal error: boom");
        ServiceApi.trigger().then().statusCode(502);

        JsonPath runs = api().get("/api/runs").then().statusCode(200).extract().jsonPath();
        assertThat(runs.getString("[0].status")).isEqualTo("failed");
        assertThat(runs.getString("[0].reason")).isEqualTo("api");
        assertThat(runs.getString("[0].report.targets[0].message")).contains("boom");
        assertThat(runs.getString("[1].status")).isEqualTo("completed");
        long written = runs.getLong("[1].report.targets[0].bytesWritten");
        assertThat(runs.getLong("[1].bytesDone")).isEqualTo(written);
        assertThat(runs.getLong("[1].bytesExpected")).isEqualTo(written);
        assertThat(runs.getString("[1].phase")).isEqualTo("done");
        String id = runs.getString("[1].id");
        assertThat(id).endsWith("-api");
        api().get("/api/runs/" + id).then().statusCode(200).body("report.targets[0].status", equalTo("completed"));
        assertThat(Files.readString(dir.directory().resolve(SnapshotDir.RUN_JOURNAL))).contains(id,
                runs.getString("[0].id"));
        api().get("/api/runs/no-such-run").then().statusCode(404).body("detail", containsString("GET /api/runs"));
        api().delete("/api/runs/" + id).then().statusCode(409).body("detail", containsString("finished already"));
    }

    @Test
    void anAsyncTriggerAnswersAtOnceAndTheRunIsFollowedToItsReport() throws Exception {
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", TestData.snapshot(8192));
        qdrant.createSlow(snapshot, 1_500);

        Response accepted = ServiceApi.triggerAsync();
        accepted.then().statusCode(202).header("Preference-Applied", "respond-async")
                .header("Location", containsString("/api/runs/")).body("status", equalTo("running"))
                .body("phase", notNullValue());
        String id = accepted.jsonPath().getString("id");
        assertThat(accepted.header("Location")).endsWith("/api/runs/" + id);

        JsonPath done = ServiceApi.finishedRun(id);
        assertThat(done.getString("status")).isEqualTo("completed");
        assertThat(done.getString("report.targets[0].filePath")).endsWith("-kairos.snap");
        assertThat(dir.list()).hasSize(3);
    }

    /** A snapshot taken through the service, to restore or drill; its file name. */
    /** A drill's scratch collection takes the upload of {@code file}, Qdrant answering after {@code delayMillis}. */
    private void drillRestoresIn(String file, int delayMillis) {
        qdrant.restoresUploadsTo("drill-kairos-\\d{8}-\\d{6}", QdrantStandIn.POINTS,
                "restore-" + file.replace(".snap", ".snapshot"), delayMillis, QdrantStandIn.SAMPLE_IDS);
    }

    private String takeSnapshot() {
        qdrant.snapshotServed("kairos", TestData.snapshot(8192));
        return Path.of(ServiceApi.trigger().then().statusCode(200).extract().<String> path("targets[0].filePath"))
                .getFileName().toString();
    }

    /**
     * A restore asked with {@code Prefer: respond-async} answers at once (a long restore outlives a proxy's idle
     * timeout); its report lands in its run. A restore answered when done names its run in a {@code Link} header.
     */
    @Test
    void anAsyncRestoreAnswersAtOnceAndItsReportLandsInItsRun() throws Exception {
        String file = takeSnapshot();
        qdrant.restoresUploads("kairos_restored", QdrantStandIn.POINTS, "restore-" + file.replace(".snap", ".snapshot"),
                1_500);

        Response accepted = ServiceApi.restoreAsync(file, "{\"collection\":\"kairos_restored\"}");
        accepted.then().statusCode(202).header("Preference-Applied", "respond-async")
                .header("Location", containsString("/api/runs/")).body("status", equalTo("running"))
                .body("reason", equalTo("restore"));
        String id = accepted.jsonPath().getString("id");

        JsonPath done = ServiceApi.finishedRun(id);
        assertThat(done.getString("status")).isEqualTo("completed");
        assertThat(done.getString("report.collection")).isEqualTo("kairos_restored");
        assertThat(done.getLong("report.pointsFound")).isEqualTo(QdrantStandIn.POINTS);
        assertThat(qdrant.requests("POST", "/collections/kairos_restored/snapshots/upload")).hasSize(1);

        qdrant.reset();
        file = takeSnapshot();
        qdrant.restoresUploads("kairos_restored", QdrantStandIn.POINTS, "restore-" + file.replace(".snap", ".snapshot"));
        Response waited = api().contentType("application/json").body("{\"collection\":\"kairos_restored\"}")
                .post("/api/snapshots/" + file + "/restore");
        waited.then().statusCode(200).body("status", equalTo("completed"));
        String link = waited.header("Link");
        assertThat(link).matches("</api/runs/[^>]+-restore>; rel=\"run\"");
        api().get(link.substring(1, link.indexOf('>'))).then().statusCode(200).body("report.collection",
                equalTo("kairos_restored"));
    }

    /** A refusal of an async restore comes after its 202: its run says why. */
    @Test
    void anAsyncRestoreThatIsRefusedSaysWhyInItsRun() throws Exception {
        String file = takeSnapshot(); // kairos exists on the stand-in

        Response accepted = ServiceApi.restoreAsync(file, "{}");
        accepted.then().statusCode(202);

        JsonPath done = ServiceApi.finishedRun(accepted.jsonPath().getString("id"));
        assertThat(done.getString("status")).isEqualTo("failed");
        assertThat(done.getString("message")).isEqualTo("Restore refused: Collection `kairos` exists on Qdrant at "
                + qdrant.url() + "; restore into another name, or ask to overwrite it");
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).isEmpty();
    }

    /**
     * Once the whole upload is sent, Qdrant restores it whatever we do: a cancel that comes then is refused with 409
     * saying so (not taken and ignored), and the run completes as if it had not been asked.
     */
    @Test
    void aCancelAfterTheUploadIsSentIsRefusedAndTheRestoreRunsToItsEnd() throws Exception {
        String file = takeSnapshot();
        qdrant.restoresUploads("kairos_restored", QdrantStandIn.POINTS, "restore-" + file.replace(".snap", ".snapshot"),
                3_000);
        Response accepted = ServiceApi.restoreAsync(file, "{\"collection\":\"kairos_restored\"}");
        String id = accepted.jsonPath().getString("id");
        qdrant.awaitReceived("POST", "/snapshots/upload"); // the upload is sent; Qdrant is restoring

        api().delete("/api/runs/" + id).then().statusCode(409).contentType("application/problem+json")
                .body("detail", equalTo("Run " + id + " can no longer be stopped: Qdrant has the snapshot whole and "
                        + "is restoring it; the restore, its checks and its clean-up run to their end."));

        JsonPath done = ServiceApi.finishedRun(id);
        assertThat(done.getString("status")).isEqualTo("completed");
        assertThat(done.getString("cancelledBy")).isNull();
        assertThat(done.getString("report.status")).isEqualTo("completed");
        assertThat(done.getLong("report.pointsFound")).isEqualTo(QdrantStandIn.POINTS);
        assertThat(done.getBoolean("report.uploadedCopyDeleted")).isTrue();
        assertThat(qdrant.requests("DELETE", "/collections/kairos_restored/snapshots/")).hasSize(1);
    }

    /**
     * A cancel that comes before the upload (while the safety snapshot is taken) stops the restore: nothing is
     * uploaded, the collection is untouched and the run says cancelled.
     */
    @Test
    void aCancelBeforeTheUploadStopsTheRestoreAndUploadsNothing() throws Exception {
        String file = takeSnapshot();
        Thread.sleep(1_100); // Qdrant names two snapshots of one second alike
        qdrant.createSlow(qdrant.snapshotServed("kairos", TestData.snapshot(8192)), 4_000);
        qdrant.restoresUploadsOver("kairos", 1);
        String id = ServiceApi.restoreAsync(file, "{\"overwrite\":true}").then().statusCode(202).extract().path("id");
        Thread.sleep(1_000); // checking, or taking the safety snapshot (4 s): before the upload either way

        api().delete("/api/runs/" + id).then().statusCode(202).body("id", equalTo(id));

        JsonPath done = ServiceApi.finishedRun(id);
        assertThat(done.getString("status")).isEqualTo("cancelled");
        assertThat(done.getString("cancelledBy")).isEqualTo("api");
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).isEmpty();
    }

    @Test
    void anAsyncDrillAnswersAtOnceAndItsReportLandsInItsRun() throws Exception {
        String file = takeSnapshot();
        drillRestoresIn(file, 1_500);

        Response accepted = ServiceApi.drillAsync();
        accepted.then().statusCode(202).header("Location", containsString("/api/runs/"))
                .body("status", equalTo("running"));

        JsonPath done = ServiceApi.finishedRun(accepted.jsonPath().getString("id"));
        assertThat(done.getString("status")).isEqualTo("completed");
        assertThat(done.getBoolean("report.scratchDropped")).isTrue();
        assertThat(done.getString("report.file")).isEqualTo(file);
    }

    /**
     * A drill whose upload Qdrant has whole refuses a cancel as a restore does: the drill runs to its end, its scratch
     * collection dropped, rather than leaving one behind.
     */
    @Test
    void aCancelOfADrillPastItsUploadIsRefusedAndTheScratchIsDropped() throws Exception {
        String file = takeSnapshot();
        drillRestoresIn(file, 3_000);
        String id = ServiceApi.drillAsync().then().statusCode(202).extract().path("id");
        qdrant.awaitReceived("POST", "/snapshots/upload"); // the upload is sent; Qdrant is restoring

        api().delete("/api/runs/" + id).then().statusCode(409).body("detail",
                containsString("can no longer be stopped: Qdrant has the snapshot whole"));

        JsonPath done = ServiceApi.finishedRun(id);
        assertThat(done.getString("status")).isEqualTo("completed");
        assertThat(done.getString("cancelledBy")).isNull();
        assertThat(done.getBoolean("report.scratchDropped")).isTrue();
    }

    @Test
    void aCancelledRunKeepsNothingAndItsWaitingCallerGets503() throws Exception {
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", TestData.snapshot(8192));
        qdrant.createSlow(snapshot, 4_000);
        CompletableFuture<Response> waiting = CompletableFuture.supplyAsync(ServiceApi::trigger);
        String id = null;
        for (int i = 0; i < 50 && id == null; i++) {
            JsonPath runs = api().get("/api/runs").then().extract().jsonPath();
            if ("running".equals(runs.getString("[0].status"))) {
                id = runs.getString("[0].id");
            } else {
                Thread.sleep(100);
            }
        }
        assertThat(id).as("a running run").isNotNull();

        api().delete("/api/runs/" + id).then().statusCode(202).body("id", equalTo(id));

        Response answer = waiting.get();
        answer.then().statusCode(503).body("targets[0].message", containsString("Cancelled through DELETE /api/runs"));
        JsonPath run = ServiceApi.finishedRun(id);
        assertThat(run.getString("status")).isEqualTo("cancelled");
        assertThat(run.getString("cancelledBy")).isEqualTo("api");
        assertThat(dir.list()).isEmpty();
    }
}
