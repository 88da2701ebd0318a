package dev.snapshotter.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import java.nio.file.Path;
import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.LogCapture;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * {@code QDRANT_SNAPSHOT_TIMEOUT=1s}, and a Qdrant that goes on restoring an upload after the restore gave up waiting
 * for its answer: the service follows Qdrant's restore, and the run's record tells how it ended. Before, the failed
 * report said to watch Qdrant's log and restore again with overwrite: a second upload of the whole backup, which a
 * large one (the kind that times out) would time out again.
 */
@QuarkusTest
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.timeout", value = "1s"))
@ExtendWith(SecretsStayHidden.class)
class UnansweredRestoreTest {

    private static final String TARGET = "kairos_restored";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    LogCapture log;

    @BeforeEach
    void reset() {
        qdrant.reset();
    }

    @Test
    void aRestoreQdrantWentOnWithIsTakenAsCompletedInItsRunOnceTheCollectionHoldsTheBackupWhole() throws Exception {
        Path planted = dir.plantRestorable(QdrantStandIn.POINTS);
        String file = planted.getFileName().toString();
        double completed = Scrape.value("snapshotter_restores_total{result=\"completed\"}");
        String run = restoreAnsweredLate(planted, true);

        Thread.sleep(2_500); // a check or two while Qdrant says it restores: nothing is done yet
        ServiceApi.api().get(run).then().statusCode(200).body("status", equalTo("failed"))
                .body("report.qdrantStillRestoring", equalTo(true));
        assertThat(qdrant.requests("GET", "/telemetry")).isNotEmpty();
        int deletedCopies = qdrant.requests("DELETE", "/collections/" + TARGET + "/snapshots/").size();
        assertThat(qdrant.requests("POST", "/collections/aliases")).isEmpty();

        qdrant.restoreEnds(TARGET);

        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> ServiceApi.api().get(run).then()
                .statusCode(200).body("status", equalTo("completed")));
        ServiceApi.api().get(run).then()
                .body("report.qdrantStillRestoring", equalTo(false))
                .body("report.pointsFound", equalTo((int) QdrantStandIn.POINTS))
                .body("report.aliases", hasItem("kairos_live"))
                .body("report.uploadedCopyDeleted", equalTo(true))
                .body("report.message", containsString("Qdrant's restore of " + file + " into collection `" + TARGET
                        + "`, which run " + run.substring("/api/runs/".length()) + " uploaded and Qdrant did not "
                        + "answer in time, ended: collection `" + TARGET + "` holds it whole, checked at "))
                .body("report.message", containsString(" (1234 points; aliases kairos_live): taken as restored"));
        assertThat(qdrant.requests("DELETE", "/collections/" + TARGET + "/snapshots/").stream()
                .map(LoggedRequest::getUrl).skip(deletedCopies)).singleElement()
                .satisfies(url -> assertThat(url).contains("/snapshots/" + SnapshotDir.uploadName(planted)));
        assertThat(qdrant.requests("POST", "/collections/aliases")).singleElement()
                .satisfies(r -> assertThat(r.getBodyAsString()).contains("\"collection_name\":\"" + TARGET + "\""));
        assertThat(qdrant.requests("POST", "/collections/" + TARGET + "/snapshots/upload")).hasSize(1);
        assertThat(qdrant.requests("DELETE", "/collections/" + TARGET + "?")).isEmpty();
        assertThat(Scrape.value("snapshotter_restores_total{result=\"completed\"}")).isEqualTo(completed + 1);
        assertThat(log.appLines()).anySatisfy(line -> assertThat(line).contains("INFO")
                .contains("Qdrant's restore of " + file + " into collection `" + TARGET + "`").contains("taken as "
                        + "restored"));
    }

    @Test
    void aRestoreQdrantEndedWithoutRestoringItSaysSoInItsRunAndIsNoLongerFollowed() throws Exception {
        Path planted = dir.plantRestorable(QdrantStandIn.POINTS);
        String file = planted.getFileName().toString();
        String run = restoreAnsweredLate(planted, false);

        qdrant.restoreFails(TARGET, SnapshotDir.uploadName(planted), 1000);

        String ended = "Qdrant's restore of " + file + " into collection `" + TARGET + "`, which run "
                + run.substring("/api/runs/".length()) + " uploaded and Qdrant did not answer in time, ended without "
                + "restoring it: it does not hold it whole (";
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> ServiceApi.api().get(run).then()
                .statusCode(200).body("report.qdrantStillRestoring", equalTo(false)));
        ServiceApi.api().get(run).then()
                .body("status", equalTo("failed"))
                .body("report.remarks", hasItem(startsWith(ended)))
                .body("report.message", containsString("and Qdrant reports no restore of it going (it failed, Qdrant "
                        + "restarted during it, or the collection was written since it ended); restore again with "
                        + "overwrite, or drop `" + TARGET + "`"));
        assertThat(log.appLines()).anySatisfy(line -> assertThat(line).contains("WARN").contains(ended));
        assertThat(qdrant.requests("DELETE", "/collections/" + TARGET + "?")).isEmpty(); // nothing of it is dropped

        int telemetry = qdrant.requests("GET", "/telemetry").size();
        Thread.sleep(6_000);
        assertThat(qdrant.requests("GET", "/telemetry")).hasSize(telemetry); // followed no longer
    }

    /**
     * A later restore into the collection, while Qdrant still restores the first: the first is no longer followed
     * (its record keeps what it said), the later one is, and turns completed once the collection holds the backup.
     */
    @Test
    void aLaterRestoreIntoTheCollectionEndsTheFollowingOfTheEarlierOne() throws Exception {
        Path planted = dir.plantRestorable(QdrantStandIn.POINTS);
        String first = restoreAnsweredLate(planted, false);

        Response again = ServiceApi.api().contentType("application/json").body("{\"collection\":\"" + TARGET
                + "\",\"overwrite\":true,\"aliases\":false,\"safetySnapshot\":false}")
                .post("/api/snapshots/" + planted.getFileName() + "/restore");
        again.then().statusCode(502).body("qdrantStillRestoring", equalTo(true));
        String second = again.header("Link").substring(1, again.header("Link").indexOf('>'));
        assertThat(log.appLines()).anySatisfy(line -> assertThat(line).contains("INFO").contains("No longer "
                + "following Qdrant's restore into collection `" + TARGET + "` of run "
                + first.substring("/api/runs/".length()) + ": run " + second.substring("/api/runs/".length())
                + " restored into it since"));

        qdrant.restoreEnds(TARGET);

        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> ServiceApi.api().get(second).then()
                .statusCode(200).body("status", equalTo("completed")));
        ServiceApi.api().get(first).then().statusCode(200).body("status", equalTo("failed"))
                .body("report.qdrantStillRestoring", equalTo(true));
    }

    /**
     * A snapshot asked for while the following checks the collection (holding the run slot under the restore's run)
     * waits for that check, rather than being turned away with 409 as beside a run going.
     */
    @Test
    void aSnapshotAskedForWhileTheFollowingChecksTheCollectionWaitsForTheCheck() throws Exception {
        Path planted = dir.plantRestorable(QdrantStandIn.POINTS);
        String run = restoreAnsweredLate(planted, true);
        qdrant.snapshotServed(QdrantStandIn.COLLECTION, TestData.snapshot(4096));
        qdrant.aliasesAnswerAfter(2_500); // the check points the aliases: it reads them first, and waits here

        qdrant.restoreEnds(TARGET);
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(
                () -> ServiceApi.api().get(run).then().statusCode(200).body("status", equalTo("running")));
        qdrant.aliasesAnswerAfter(0); // for the snapshot: the check's own read still waits

        ServiceApi.trigger().then().statusCode(200).body("status", equalTo("completed"));
        ServiceApi.api().get(run).then().statusCode(200).body("status", equalTo("completed"));
    }

    /**
     * Restores {@code planted} into {@link #TARGET}, which Qdrant creates at once but restores for longer than the
     * timeout: a failed report that says Qdrant goes on, and that the service follows it. The run's path.
     */
    private String restoreAnsweredLate(Path planted, boolean aliases) {
        qdrant.collectionMissing(TARGET);
        qdrant.aliasesUpdated();
        qdrant.restoresUploads(TARGET, QdrantStandIn.POINTS, SnapshotDir.uploadName(planted));
        qdrant.restoreGoesOn(TARGET, SnapshotDir.uploadName(planted), 1_500, 1000);
        Response response = ServiceApi.api().contentType("application/json")
                .body("{\"collection\":\"" + TARGET + "\",\"aliases\":" + aliases + "}")
                .post("/api/snapshots/" + planted.getFileName() + "/restore");
        response.then().statusCode(502)
                .body("status", equalTo("failed"))
                .body("qdrantStillRestoring", equalTo(true))
                .body("remarks", hasItem("The service follows Qdrant's restore (its telemetry: Qdrant 1.16 or later, "
                        + "a cluster through every node in QDRANT_CLUSTER_NODES) and checks collection `" + TARGET
                        + "` as this restore would have, from now on, every 5 s at first, the wait doubling up to 60 s: "
                        + "once it holds " + planted.getFileName() + " whole, this run's record says completed "
                        + "(the aliases asked for pointed, the upload's copy deleted); should Qdrant's restore end without that, the "
                        + "record says so, and then restore again with overwrite, or drop `" + TARGET + "`"));
        String link = response.header("Link");
        return link.substring(1, link.indexOf('>'));
    }
}
