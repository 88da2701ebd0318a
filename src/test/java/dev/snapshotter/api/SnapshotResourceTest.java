package dev.snapshotter.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.QdrantStandInResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** {@code POST /api/snapshot} against a Qdrant stand-in, boot snapshot off. Only HTTP, files and the stand-in. */
@QuarkusTest
@WithTestResource(QdrantStandInResource.class)
class SnapshotResourceTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @BeforeEach
    void resetQdrant() {
        qdrant.reset();
    }

    @Test
    void writesVerifiedSnapshotAndDeletesQdrantsCopy() throws Exception {
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", QdrantStandIn.randomBytes(3 * 1024 * 1024 + 5));

        JsonPath report = given().post("/api/snapshot").then().statusCode(200)
                .contentType("application/json")
                .body("reason", equalTo("api"))
                .body("status", equalTo("completed"))
                .body("targets[0].target", equalTo("qdrant"))
                .body("targets[0].status", equalTo("completed"))
                .body("targets[0].collection", equalTo("kairos"))
                .body("targets[0].snapshotName", equalTo(snapshot.name()))
                .body("targets[0].sha256", equalTo(snapshot.sha256()))
                .body("targets[0].remoteDeleted", equalTo(true))
                .extract().jsonPath();
        assertThat(report.getLong("targets[0].bytesWritten")).isEqualTo(snapshot.body().length);
        assertThat(report.getString("startedAt")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");

        Path file = Path.of(report.getString("targets[0].filePath"));
        assertThat(file).isAbsolute().hasParent(qdrant.directory().toRealPath());
        assertThat(file.getFileName().toString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d-\\d{3}Z-kairos\\.snap");
        assertThat(Files.readAllBytes(file)).isEqualTo(snapshot.body());
        Path sidecar = Path.of(file + ".sha256");
        assertThat(Files.readString(sidecar, StandardCharsets.UTF_8))
                .isEqualTo(snapshot.sha256() + "  " + file.getFileName() + "\n");
        assertThat(qdrant.files()).containsExactly(file, sidecar);

        List<LoggedRequest> creates = qdrant.creates();
        assertThat(creates).hasSize(1);
        assertThat(creates.get(0).getHeader("api-key")).isEqualTo(QdrantStandIn.API_KEY);
        LoggedRequest download = qdrant.requests("GET", snapshot.downloadPath()).get(0);
        assertThat(download.getHeader("Accept-Encoding")).doesNotContainIgnoringCase("gzip").isEqualTo("identity");
        assertThat(qdrant.requests("DELETE", snapshot.downloadPath())).hasSize(1);
    }

    @Test
    void reportsQdrantsErrorWhenCreateFails() {
        qdrant.createFails("kairos", 500,
                "Service internal error: failed to store snapshot archive to /qdrant/storage/tmp/x: disk I/O");

        given().post("/api/snapshot").then().statusCode(502)
                .contentType("application/json")
                .body("status", equalTo("failed"))
                .body("targets[0].status", equalTo("failed"))
                .body("targets[0].filePath", nullValue())
                .body("targets[0].message", containsString("Qdrant answered 500"))
                .body("targets[0].message", containsString("failed to store snapshot archive"));
        assertThat(qdrant.files()).isEmpty();
        // the service keeps serving
        qdrant.reset();
        qdrant.snapshotServed("kairos", QdrantStandIn.randomBytes(1000));
        given().post("/api/snapshot").then().statusCode(200).body("status", equalTo("completed"));
    }

    @Test
    void snapshotsTheCollectionAnAliasPointsAt() {
        qdrant.alias("memories", "kairos_v2");
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos_v2", QdrantStandIn.randomBytes(4096));
        qdrant.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock
                .post("/collections/kairos/snapshots?wait=true").atPriority(1)
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(500)));

        // QDRANT_COLLECTION is "kairos" in this app; point the alias test at it through the alias name
        qdrant.alias("kairos", "kairos_v2");
        JsonPath report = given().post("/api/snapshot").then().statusCode(200)
                .body("targets[0].collection", equalTo("kairos_v2"))
                .body("targets[0].snapshotName", equalTo(snapshot.name()))
                .extract().jsonPath();
        assertThat(report.getString("targets[0].filePath")).endsWith("-kairos_v2.snap");
        assertThat(qdrant.creates()).extracting(LoggedRequest::getUrl)
                .containsExactly("/collections/kairos_v2/snapshots?wait=true");
    }

    @Test
    void pathEncodesCollectionNamesAndKeepsFileNamesSafe() {
        qdrant.alias("kairos", "team memories");
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("team memories", QdrantStandIn.randomBytes(777));

        JsonPath report = given().post("/api/snapshot").then().statusCode(200)
                .body("targets[0].collection", equalTo("team memories"))
                .extract().jsonPath();
        assertThat(report.getString("targets[0].filePath")).endsWith("Z-team_memories.snap");
        assertThat(qdrant.creates()).extracting(LoggedRequest::getUrl)
                .containsExactly("/collections/team%20memories/snapshots?wait=true");
        assertThat(qdrant.requests("DELETE", snapshot.downloadPath())).hasSize(1);
    }

    @Test
    void leavesNoFileWhenChecksumDiffersAndKeepsQdrantsCopy() {
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", QdrantStandIn.randomBytes(10_000));
        qdrant.createAnswers(snapshot, "0".repeat(64), (long) snapshot.body().length);

        given().post("/api/snapshot").then().statusCode(502)
                .body("targets[0].status", equalTo("failed"))
                .body("targets[0].snapshotName", equalTo(snapshot.name()))
                .body("targets[0].remoteDeleted", equalTo(false))
                .body("targets[0].message", containsString("Checksum mismatch"))
                .body("targets[0].message", containsString("kept on the server"));
        assertThat(qdrant.files()).isEmpty();
        assertThat(qdrant.requests("DELETE", "/collections/")).isEmpty();
    }

    @Test
    void leavesNoFileWhenDownloadBreaksAfterTheHeaders() {
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", QdrantStandIn.randomBytes(10_000));
        qdrant.downloadFault(snapshot, Fault.MALFORMED_RESPONSE_CHUNK);

        given().post("/api/snapshot").then().statusCode(502)
                .body("targets[0].status", equalTo("failed"))
                .body("targets[0].remoteDeleted", equalTo(false));
        assertThat(qdrant.files()).isEmpty();
        assertThat(qdrant.requests("DELETE", "/collections/")).isEmpty();
    }

    @Test
    void leavesNoFileWhenDownloadIsShorterThanQdrantsSize() {
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", QdrantStandIn.randomBytes(10_000));
        qdrant.createAnswers(snapshot, snapshot.sha256(), 20_000L);

        given().post("/api/snapshot").then().statusCode(502)
                .body("targets[0].message", containsString("Qdrant described the snapshot as 20000 bytes"));
        assertThat(qdrant.files()).isEmpty();
    }

    @Test
    void reportsPlainTextDownloadErrorWithQdrantsStatusAndBody() {
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", QdrantStandIn.randomBytes(100));
        qdrant.downloadFails(snapshot, 404, "Not found: Snapshot " + snapshot.name() + " not found");

        given().post("/api/snapshot").then().statusCode(502)
                .body("targets[0].message", containsString("Qdrant answered 404"))
                .body("targets[0].message", containsString("Not found: Snapshot " + snapshot.name() + " not found"));
        assertThat(qdrant.files()).isEmpty();
    }

    @Test
    void refusesSecondTriggerWhileOneRuns() throws Exception {
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", QdrantStandIn.randomBytes(2048));
        qdrant.createSlow(snapshot, 1500);

        CompletableFuture<Response> first = CompletableFuture.supplyAsync(() -> given().post("/api/snapshot"));
        Thread.sleep(400);
        Response second = given().post("/api/snapshot");

        second.then().statusCode(409).contentType("application/problem+json")
                .body("status", equalTo(409))
                .body("title", equalTo("Snapshot in progress"))
                .body("detail", containsString("reason api"))
                .body("detail", containsString("running since"));
        first.get().then().statusCode(200).body("status", equalTo("completed"));
        assertThat(qdrant.creates()).hasSize(1);
        given().post("/api/snapshot").then().statusCode(200);
    }

    @Test
    void completesWithoutChecksumAndSaysSo() {
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", QdrantStandIn.randomBytes(5000));
        qdrant.createAnswers(snapshot, null, (long) snapshot.body().length);

        given().post("/api/snapshot").then().statusCode(200)
                .body("targets[0].status", equalTo("completed"))
                .body("targets[0].sha256", equalTo(snapshot.sha256()))
                .body("targets[0].message", containsString("no checksum"));
        assertThat(qdrant.files()).hasSize(2);
    }

    @Test
    void keepsVerifiedFileWhenDeletingQdrantsCopyFails() {
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", QdrantStandIn.randomBytes(5000));
        qdrant.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.delete(com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo(snapshot.downloadPath()))
                .atPriority(1).willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(500)
                        .withBody("{\"status\":{\"error\":\"Service internal error: busy\"},\"time\":0.1}")));

        given().post("/api/snapshot").then().statusCode(200)
                .body("targets[0].status", equalTo("completed"))
                .body("targets[0].remoteDeleted", equalTo(false))
                .body("targets[0].message", containsString("kept on the server"))
                .body("targets[0].message", containsString("500"));
        assertThat(qdrant.files()).hasSize(2);
    }

    @Test
    void failsWithoutCrashWhenCreateAnswersAcceptedWithoutResult() {
        qdrant.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock
                .post("/collections/kairos/snapshots?wait=true").atPriority(1)
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(202)
                        .withHeader("Content-Type", "application/json").withBody("{\"status\":\"accepted\",\"time\":0.0}")));

        given().post("/api/snapshot").then().statusCode(502)
                .body("targets[0].message", containsString("no snapshot description"));
        assertThat(qdrant.files()).isEmpty();
    }

    @Test
    void refusesCompressedBodyAlthoughIdentityWasAsked() throws Exception {
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", QdrantStandIn.randomBytes(5000));
        java.io.ByteArrayOutputStream gzipped = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(gzipped)) {
            gzip.write(snapshot.body());
        }
        qdrant.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(snapshot.downloadPath())
                .atPriority(1).willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(200)
                        .withHeader("Content-Type", "application/octet-stream")
                        .withHeader("Content-Encoding", "gzip").withBody(gzipped.toByteArray())));

        given().post("/api/snapshot").then().statusCode(502)
                .body("targets[0].message", containsString("encoded as `gzip`"));
        assertThat(qdrant.files()).isEmpty();
    }

    @Test
    void namesMissingCollectionAndQdrantsUrl() {
        qdrant.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.get("/collections/kairos/exists")
                .atPriority(1).willReturn(com.github.tomakehurst.wiremock.client.WireMock.okJson(
                        "{\"result\":{\"exists\":false},\"status\":\"ok\",\"time\":1.0e-5}")));

        given().post("/api/snapshot").then().statusCode(502)
                .body("targets[0].message", containsString("Collection `kairos` does not exist at http://"));
        assertThat(qdrant.creates()).isEmpty();
    }

    @Test
    void neverUsesAnUnsafeSnapshotNameInAPathOrUrl() {
        QdrantStandIn.Snapshot hostile = new QdrantStandIn.Snapshot("kairos", "../../etc/passwd", new byte[0],
                QdrantStandIn.sha256(new byte[0]));
        qdrant.createAnswers(hostile, hostile.sha256(), 0L);

        given().post("/api/snapshot").then().statusCode(502)
                .body("targets[0].message", containsString("not a plain file name"));
        assertThat(qdrant.requests("GET", "/collections/kairos/snapshots")).isEmpty();
        assertThat(qdrant.requests("DELETE", "/")).isEmpty();
        assertThat(qdrant.files()).isEmpty();
    }

    @Test
    void answersUnknownApiPathsWithProblemJson() {
        given().get("/api/snapshot").then().statusCode(405).contentType("application/problem+json")
                .body("status", equalTo(405));
    }
}
