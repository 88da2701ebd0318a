package dev.snapshotter.restore;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/**
 * {@code POST /api/drill}: the newest snapshot is restored into a scratch collection, checked (count, vector params,
 * the sampled point ids), and the scratch collection dropped whatever happened; the real collection and its aliases
 * are never touched; the catalog and the metrics show the last drill.
 */
@QuarkusTest
@WithQdrantStandIn
@ExtendWith(SecretsStayHidden.class)
class DrillTest {

    static final String SCRATCH = "drill-kairos-\\d{8}-\\d{6}";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @BeforeEach
    void resetQdrant() {
        qdrant.reset();
    }

    private Path takeSnapshot() {
        qdrant.snapshotServed("kairos", TestData.snapshot(30_000));
        return Path.of(ServiceApi.trigger().then().statusCode(200).extract().<String> path("targets[0].filePath"));
    }

    private static ValidatableResponse drill() {
        return given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN).contentType("application/json")
                .body("{}").post("/api/drill").then();
    }

    private static ValidatableResponse catalogEntry(Path file) {
        return given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN).get("/api/snapshots").then()
                .rootPath("find { it.file == '" + file.getFileName() + "' }");
    }

    @Test
    void restoresIntoAScratchCollectionChecksItAndDropsIt() throws Exception {
        Path file = takeSnapshot();
        qdrant.restoresUploadsTo(SCRATCH, QdrantStandIn.POINTS, SnapshotDir.uploadName(file), 0,
                QdrantStandIn.SAMPLE_IDS);
        double passed = Scrape.value("snapshotter_drills_total{result=\"passed\"}");

        drill().statusCode(200)
                .body("status", equalTo("completed"))
                .body("file", equalTo(file.getFileName().toString()))
                .body("collection", matchesPattern(SCRATCH))
                .body("pointsFound", equalTo((int) QdrantStandIn.POINTS))
                .body("sampleChecked", equalTo(3))
                .body("sampleMissing", nullValue())
                .body("scratchDropped", equalTo(true))
                .body("uploadedCopyDeleted", equalTo(true));

        assertThat(qdrant.requests("DELETE", "/collections/drill-kairos-")).filteredOn(r -> !r.getUrl()
                .contains("/snapshots/")).hasSize(1);
        // the real collection and its aliases are never touched
        assertThat(qdrant.requests("POST", "/collections/aliases")).isEmpty();
        assertThat(qdrant.requests("DELETE", "/collections/kairos")).filteredOn(r -> !r.getUrl().contains("/snapshots/"))
                .isEmpty();
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).isEmpty();
        catalogEntry(file).body("drillResult", equalTo("passed")).body("drilledAt", startsWith("20"));
        // the record beside the snapshot, as a later version reads it back
        JsonNode record = new ObjectMapper().readTree(file.resolveSibling(file.getFileName() + ".drill").toFile());
        assertThat(record.fieldNames()).toIterable().containsExactly("drilledAt", "result", "message");
        assertThat(record.path("result").asText()).isEqualTo("passed");
        assertThat(Scrape.value("snapshotter_drills_total{result=\"passed\"}")).isEqualTo(passed + 1);
        assertThat(Scrape.value("snapshotter_last_drill_success_timestamp_seconds"))
                .isGreaterThan(System.currentTimeMillis() / 1000.0 - 60);
    }

    @Test
    void aWrongCountFailsTheDrillAndStillDropsTheScratchCollection() {
        Path file = takeSnapshot();
        qdrant.restoresUploadsTo(SCRATCH, 17, SnapshotDir.uploadName(file), 0, QdrantStandIn.SAMPLE_IDS);
        double failed = Scrape.value("snapshotter_drills_total{result=\"failed\"}");

        drill().statusCode(502)
                .body("status", equalTo("failed"))
                .body("message", containsString("has 17 points after the restore, but the snapshot was taken with "
                        + QdrantStandIn.POINTS))
                .body("scratchDropped", equalTo(true));

        assertThat(qdrant.requests("DELETE", "/collections/drill-kairos-")).filteredOn(r -> !r.getUrl()
                .contains("/snapshots/")).hasSize(1);
        catalogEntry(file).body("drillResult", equalTo("failed"));
        assertThat(Scrape.value("snapshotter_drills_total{result=\"failed\"}")).isEqualTo(failed + 1);
    }

    @Test
    void aScratchCollectionThatCannotBeDroppedFailsTheDrillSayingSo() {
        Path file = takeSnapshot();
        qdrant.restoresUploadsTo(SCRATCH, QdrantStandIn.POINTS, SnapshotDir.uploadName(file), 0,
                QdrantStandIn.SAMPLE_IDS);
        qdrant.dropFails(SCRATCH, 500, "Service internal error: disk I/O");
        double failed = Scrape.value("snapshotter_drills_total{result=\"failed\"}");

        drill().statusCode(502)
                .body("scratchDropped", equalTo(false))
                .body("message", startsWith("The scratch collection `drill-kairos-"))
                .body("message", containsString("` could not be dropped (the next drill tries again, or drop it by hand): "
                        + "Qdrant answered 500"))
                .body("message", containsString("Service internal error: disk I/O"));

        catalogEntry(file).body("drillResult", equalTo("failed"));
        assertThat(Scrape.value("snapshotter_drills_total{result=\"failed\"}")).isEqualTo(failed + 1);
    }

    /**
     * A scratch collection whose drop failed is a whole copy of the collection left on Qdrant: the next drill drops it
     * first, and says so. Before, it stayed until someone dropped it by hand.
     */
    @Test
    void theNextDrillDropsAScratchCollectionWhoseDropFailed() throws Exception {
        Path file = takeSnapshot();
        qdrant.restoresUploadsTo(SCRATCH, QdrantStandIn.POINTS, SnapshotDir.uploadName(file), 0,
                QdrantStandIn.SAMPLE_IDS);
        qdrant.dropFails(SCRATCH, 500, "Service internal error: disk I/O");
        String left = drill().statusCode(502).body("scratchDropped", equalTo(false)).extract().path("collection");
        assertThat(Files.readString(dir.directory().resolve(".drills.json"))).contains(left);
        assertThat(Scrape.value("snapshotter_drill_scratch_left")).isEqualTo(1.0);

        Thread.sleep(1_100); // scratch collections are named to the second
        qdrant.server().resetScenarios(); // the new scratch collection does not exist yet
        qdrant.restoresUploadsTo(SCRATCH, QdrantStandIn.POINTS, SnapshotDir.uploadName(file), 0,
                QdrantStandIn.SAMPLE_IDS); // drops answered again
        String next = drill().statusCode(200)
                .body("scratchDropped", equalTo(true))
                .body("remarks", hasItem(startsWith("Dropped collection `" + left + "`, the scratch collection of the "
                        + "drill started ")))
                .extract().path("collection");

        assertThat(next).isNotEqualTo(left);
        assertThat(qdrant.requests("DELETE", "/collections/" + left + "?")).hasSize(2);
        assertThat(Files.readString(dir.directory().resolve(".drills.json"))).doesNotContain("drill-kairos-");
        assertThat(Scrape.value("snapshotter_drill_scratch_left")).isZero();
    }

    /**
     * The process stopped during a drill (a kill, an eviction, the shutdown grace over) and left its scratch collection
     * on Qdrant, with the copy of the upload Qdrant keeps: the drill records it before its upload, and the next drill
     * deletes that copy (Qdrant keeps a dropped collection's snapshots on its disk, out of reach of its API), then drops
     * the collection. One recorded on another Qdrant (a drill URL since changed) is left alone.
     */
    @Test
    void aScratchCollectionLeftByADrillThatDidNotEndIsDroppedByTheNext() throws Exception {
        Path file = takeSnapshot();
        qdrant.restoresUploadsTo(SCRATCH, QdrantStandIn.POINTS, SnapshotDir.uploadName(file), 0,
                QdrantStandIn.SAMPLE_IDS);
        String left = "drill-kairos-20261201-030000";
        String upload = "restore-2026-12-01T02-00-00-000Z-kairos.snapshot";
        qdrant.listsSnapshots(left, upload);
        qdrant.deletesAnySnapshot(left);
        qdrant.dropsCollection(left);
        Files.writeString(dir.directory().resolve(".drills.json"), "{\"lastDrilledAt\":null,\"lastPassedAt\":null,"
                + "\"scratch\":[{\"collection\":\"" + left + "\",\"qdrant\":\"" + qdrant.url() + "\",\"since\":"
                + "\"2026-12-01T03:00:00Z\"},{\"collection\":\"drill-kairos-20261201-040000\",\"qdrant\":"
                + "\"http://drills.invalid:6333\",\"since\":\"2026-12-01T04:00:00Z\"}]}");

        drill().statusCode(200)
                .body("remarks", hasItem("Dropped collection `" + left + "`, the scratch collection of the drill "
                        + "started 2026-12-01T03:00:00Z, which did not drop it (the process stopped during it, its drop "
                        + "failed, or Qdrant went on restoring into it)"));

        List<LoggedRequest> deletes = qdrant.requests("DELETE", "/collections/" + left); // newest first
        assertThat(deletes).extracting(LoggedRequest::getUrl).containsExactly("/collections/" + left + "?wait=true",
                "/collections/" + left + "/snapshots/" + upload + "?wait=true");
        assertThat(qdrant.requests("DELETE", "/collections/drill-kairos-20261201-040000")).isEmpty();
        String history = Files.readString(dir.directory().resolve(".drills.json"));
        assertThat(history).doesNotContain(left).contains("drill-kairos-20261201-040000");
    }

    @Test
    void aSampledPointMissingAfterTheRestoreFailsTheDrill() {
        Path file = takeSnapshot();
        qdrant.restoresUploadsTo(SCRATCH, QdrantStandIn.POINTS, SnapshotDir.uploadName(file), 0, "[1,2]");

        drill().statusCode(502)
                .body("message", containsString("1 of the 3 points whose ids were recorded at snapshot time are "
                        + "missing after the restore: [\"5c56c793-69f3-4fbf-87e6-c4bf54c28c26\"]"))
                .body("sampleChecked", equalTo(3))
                .body("sampleMissing", equalTo(1))
                .body("scratchDropped", equalTo(true));
    }

    @Test
    void refusesAScratchNameThatExistsAndTouchesNothing() {
        takeSnapshot();
        qdrant.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
                com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching("/collections/" + SCRATCH + "/exists"))
                .atPriority(1).willReturn(com.github.tomakehurst.wiremock.client.WireMock.okJson(
                        "{\"result\":{\"exists\":true},\"status\":\"ok\",\"time\":0.0001}")));

        drill().statusCode(409).body("detail", startsWith("The drill's scratch collection `drill-kairos-"))
                .body("detail", containsString("exists on Qdrant; a drill never restores over a collection"));
        assertThat(qdrant.requests("DELETE", "/collections/drill-kairos-")).isEmpty();
        assertThat(qdrant.requests("POST", "/collections/drill-kairos-")).isEmpty();
    }

    /**
     * Qdrant failing the look at the scratch name is Qdrant's failure (502 with its answer), not a 409 that says its
     * state forbids the drill; nothing is uploaded or dropped.
     */
    @Test
    void qdrantFailingTheScratchCheckIsA502AndTouchesNothing() {
        takeSnapshot();
        qdrant.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
                com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching("/collections/" + SCRATCH + "/exists"))
                .atPriority(1).willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(500)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"status\":{\"error\":\"Service internal error: storage busy\"},\"time\":0.1}")));

        drill().statusCode(502).body("detail", startsWith("The drill did not run: whether its scratch collection "
                + "`drill-kairos-")).body("detail", containsString("storage busy"));
        assertThat(qdrant.requests("DELETE", "/collections/drill-kairos-")).isEmpty();
        assertThat(qdrant.requests("POST", "/collections/drill-kairos-")).isEmpty();
    }

    @Test
    void nothingToDrillIsA404() {
        drill().statusCode(404).body("detail", startsWith("No verified snapshot of `kairos` (QDRANT_COLLECTION)"));
    }
}
