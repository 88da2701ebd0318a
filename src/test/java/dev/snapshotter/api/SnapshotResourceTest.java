package dev.snapshotter.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.LogCapture;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;

/** {@code POST /api/snapshot} against a Qdrant stand-in, boot snapshot off. Only HTTP, files and the stand-in. */
@QuarkusTest
@WithQdrantStandIn
@ExtendWith(SecretsStayHidden.class)
class SnapshotResourceTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @BeforeEach
    void resetQdrant() {
        qdrant.reset();
    }

    @Test
    void anErrorPageThatEchoesTheKeyHasItTakenOut() {
        // a proxy in front of Qdrant whose error page repeats the request's headers
        qdrant.createFails("kairos", 502, "Bad gateway; request headers: api-key=" + QdrantStandIn.API_KEY);

        ServiceApi.trigger().then().statusCode(502)
                .body("targets[0].message", containsString("request headers: api-key=<QDRANT_API_KEY>"))
                .body("targets[0].message", not(containsString(QdrantStandIn.API_KEY)));
    }

    @Test
    void writesVerifiedSnapshotAndDeletesQdrantsCopy() throws Exception {
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", TestData.snapshot(3 * 1024 * 1024 + 5));

        JsonPath report = ServiceApi.trigger().then().statusCode(200)
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
        assertThat(file).isAbsolute().hasParent(dir.directory().toRealPath());
        assertThat(file.getFileName().toString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d-\\d{3}Z-kairos\\.snap");
        assertThat(Files.readAllBytes(file)).isEqualTo(snapshot.body());
        Path sidecar = Path.of(file + ".sha256");
        assertThat(Files.readString(sidecar, StandardCharsets.UTF_8))
                .isEqualTo(snapshot.sha256() + "  " + file.getFileName() + "\n");
        assertThat(dir.list()).isEqualTo(SnapshotDir.completed(file));

        List<LoggedRequest> creates = qdrant.creates();
        assertThat(creates).hasSize(1);
        assertThat(creates.get(0).getHeader("api-key")).isEqualTo(QdrantStandIn.API_KEY);
        LoggedRequest download = qdrant.requests("GET", snapshot.downloadPath()).get(0);
        assertThat(download.getHeader("Accept-Encoding")).doesNotContainIgnoringCase("gzip").isEqualTo("identity");
        assertThat(qdrant.requests("DELETE", snapshot.downloadPath())).hasSize(1);
    }

    @Test
    void reportsQdrantsErrorWhenCreateFails() {
        SnapshotDir.Earlier earlier = dir.plantEarlierSnapshot();
        qdrant.createFails("kairos", 500,
                "Service internal error: failed to store snapshot archive to /qdrant/storage/tmp/x: disk I/O");

        ServiceApi.trigger().then().statusCode(502)
                .contentType("application/json")
                .body("status", equalTo("failed"))
                .body("targets[0].status", equalTo("failed"))
                .body("targets[0].filePath", nullValue())
                .body("targets[0].message", containsString("Qdrant answered 500"))
                .body("targets[0].message", containsString("failed to store snapshot archive"));
        dir.assertOnly(earlier);
        // the service keeps serving
        qdrant.reset();
        qdrant.snapshotServed("kairos", TestData.snapshot(1000));
        ServiceApi.trigger().then().statusCode(200).body("status", equalTo("completed"));
    }

    @Test
    void snapshotsTheCollectionAnAliasPointsAt() {
        qdrant.alias("memories", "kairos_v2");
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos_v2", TestData.snapshot(4096));
        qdrant.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock
                .post("/collections/kairos/snapshots?wait=true").atPriority(1)
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(500)));

        // QDRANT_COLLECTION is "kairos" in this app; point the alias test at it through the alias name
        qdrant.alias("kairos", "kairos_v2");
        JsonPath report = ServiceApi.trigger().then().statusCode(200)
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
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("team memories", TestData.snapshot(777));

        JsonPath report = ServiceApi.trigger().then().statusCode(200)
                .body("targets[0].collection", equalTo("team memories"))
                .extract().jsonPath();
        assertThat(report.getString("targets[0].filePath")).endsWith("Z-team_memories.snap");
        assertThat(qdrant.creates()).extracting(LoggedRequest::getUrl)
                .containsExactly("/collections/team%20memories/snapshots?wait=true");
        assertThat(qdrant.requests("DELETE", snapshot.downloadPath())).hasSize(1);
    }

    @Test
    void leavesNoFileWhenChecksumDiffersAndKeepsQdrantsCopy() {
        SnapshotDir.Earlier earlier = dir.plantEarlierSnapshot();
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", TestData.snapshot(10_000));
        qdrant.createAnswers(snapshot, "0".repeat(64), (long) snapshot.body().length);

        ServiceApi.trigger().then().statusCode(502)
                .body("targets[0].status", equalTo("failed"))
                .body("targets[0].snapshotName", equalTo(snapshot.name()))
                .body("targets[0].remoteDeleted", equalTo(false))
                .body("targets[0].message", containsString("Checksum mismatch"))
                .body("targets[0].message", containsString("kept on the server"));
        dir.assertOnly(earlier);
        assertThat(qdrant.requests("DELETE", "/collections/")).isEmpty();
    }

    @Test
    void leavesNoFileWhenDownloadBreaksAfterTheHeaders() {
        SnapshotDir.Earlier earlier = dir.plantEarlierSnapshot();
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", TestData.snapshot(10_000));
        qdrant.downloadFault(snapshot, Fault.MALFORMED_RESPONSE_CHUNK);

        ServiceApi.trigger().then().statusCode(502)
                .body("targets[0].status", equalTo("failed"))
                .body("targets[0].remoteDeleted", equalTo(false));
        dir.assertOnly(earlier);
        assertThat(qdrant.requests("DELETE", "/collections/")).isEmpty();
    }

    @Test
    void leavesNoFileWhenDownloadIsShorterThanQdrantsSize() {
        SnapshotDir.Earlier earlier = dir.plantEarlierSnapshot();
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", TestData.snapshot(10_000));
        qdrant.createAnswers(snapshot, snapshot.sha256(), (long) snapshot.body().length * 2);

        ServiceApi.trigger().then().statusCode(502)
                .body("targets[0].message",
                        containsString("Qdrant described the snapshot as " + snapshot.body().length * 2 + " bytes"));
        dir.assertOnly(earlier);
    }

    @Test
    void reportsPlainTextDownloadErrorWithQdrantsStatusAndBody() {
        SnapshotDir.Earlier earlier = dir.plantEarlierSnapshot();
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", TestData.snapshot(100));
        qdrant.downloadFails(snapshot, 404, "Not found: Snapshot " + snapshot.name() + " not found");

        ServiceApi.trigger().then().statusCode(502)
                .body("targets[0].message", containsString("Qdrant answered 404"))
                .body("targets[0].message", containsString("Not found: Snapshot " + snapshot.name() + " not found"));
        dir.assertOnly(earlier);
    }

    @Test
    void letsExactlyOneOfAHundredConcurrentTriggersReachQdrant() throws Exception {
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", TestData.snapshot(256 * 1024));
        qdrant.createSlow(snapshot, 2500);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newFixedThreadPool(16)).build();
        HttpRequest trigger = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + "/api/snapshot"))
                .header("Authorization", "Bearer " + ServiceApi.API_TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody()).build();

        List<CompletableFuture<HttpResponse<String>>> storm = IntStream.range(0, 100)
                .mapToObj(i -> client.sendAsync(trigger, HttpResponse.BodyHandlers.ofString())).toList();
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> answer : storm) {
            answers.add(answer.get(60, TimeUnit.SECONDS));
        }

        Map<Integer, Long> statuses = answers.stream()
                .collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting()));
        assertThat(statuses).containsExactlyInAnyOrderEntriesOf(Map.of(200, 1L, 409, 99L));
        assertThat(answers).filteredOn(a -> a.statusCode() == 409).allSatisfy(a -> {
            assertThat(a.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(a.body()).contains("\"title\":\"Snapshot in progress\"", "running since");
        });
        assertThat(qdrant.creates()).hasSize(1);
        assertThat(qdrant.requests("GET", snapshot.downloadPath())).hasSize(1);
        JsonPath completed = new JsonPath(answers.stream().filter(a -> a.statusCode() == 200).findFirst()
                .orElseThrow().body());
        Path file = Path.of(completed.getString("targets[0].filePath"));
        assertThat(Files.readAllBytes(file)).isEqualTo(snapshot.body());
        assertThat(dir.list()).hasSize(3);

        qdrant.reset();
        qdrant.snapshotServed("kairos", TestData.snapshot(1000));
        ServiceApi.trigger().then().statusCode(200).body("status", equalTo("completed"));
    }

    @Test
    void reportsReadOnlyKeysForbiddenCreateAndLeavesNothing() {
        SnapshotDir.Earlier earlier = dir.plantEarlierSnapshot();
        qdrant.createFails("kairos", 403, "Forbidden: Global manage access is required");

        ServiceApi.trigger().then().statusCode(502)
                .body("targets[0].status", equalTo("failed"))
                .body("targets[0].message", containsString("Qdrant answered 403"))
                .body("targets[0].message", containsString("Forbidden: Global manage access is required"));
        dir.assertOnly(earlier);
    }

    @Test
    void reportsQdrantsPlainText403ForAnExpiredToken() {
        SnapshotDir.Earlier earlier = dir.plantEarlierSnapshot();
        qdrant.credentialRefused(403, "ExpiredSignature");

        ServiceApi.trigger().then().statusCode(502)
                .body("targets[0].message", containsString("Qdrant answered 403"))
                .body("targets[0].message", containsString("ExpiredSignature"));
        assertThat(qdrant.creates()).isEmpty();
        dir.assertOnly(earlier);
    }

    @Test
    void reportsCollectionDeletedBetweenCheckAndCreate() {
        SnapshotDir.Earlier earlier = dir.plantEarlierSnapshot();
        qdrant.createFails("kairos", 404, "Not found: Collection `kairos` doesn't exist!");

        ServiceApi.trigger().then().statusCode(502)
                .body("targets[0].message", containsString("Qdrant answered 404"))
                .body("targets[0].message", containsString("Collection `kairos` doesn't exist!"));
        dir.assertOnly(earlier);
    }

    @Test
    void reportsAnAnswerThatIsNotQdrantsJson() {
        SnapshotDir.Earlier earlier = dir.plantEarlierSnapshot();
        qdrant.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock
                .post("/collections/kairos/snapshots?wait=true").atPriority(1)
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(200)
                        .withHeader("Content-Type", "text/html").withBody("<html>proxy login</html>")));

        ServiceApi.trigger().then().statusCode(502)
                .body("targets[0].message", containsString("is not the JSON Qdrant sends"));
        dir.assertOnly(earlier);
    }

    @Test
    void leavesNoFileWhenBodyIsLongerThanQdrantsSize() {
        SnapshotDir.Earlier earlier = dir.plantEarlierSnapshot();
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", TestData.snapshot(10_000));
        qdrant.createAnswers(snapshot, snapshot.sha256(), 6_000L);

        ServiceApi.trigger().then().statusCode(502)
                .body("targets[0].message", containsString("longer than the 6000 bytes Qdrant announced"))
                .body("targets[0].remoteDeleted", equalTo(false));
        dir.assertOnly(earlier);
        assertThat(qdrant.requests("DELETE", "/collections/")).isEmpty();
    }

    @Test
    void completesWithoutSizeByContentLengthAndChecksum() {
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", TestData.snapshot(5000));
        qdrant.createAnswers(snapshot, snapshot.sha256(), null);

        ServiceApi.trigger().then().statusCode(200)
                .body("targets[0].status", equalTo("completed"))
                .body("targets[0].bytesWritten", equalTo(snapshot.body().length))
                .body("targets[0].sha256", equalTo(snapshot.sha256()));
        assertThat(dir.list()).hasSize(3);
    }

    @Test
    void completesWithoutChecksumAndSaysSo() {
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", TestData.snapshot(5000));
        qdrant.createAnswers(snapshot, null, (long) snapshot.body().length);

        ServiceApi.trigger().then().statusCode(200)
                .body("targets[0].status", equalTo("completed"))
                .body("targets[0].sha256", equalTo(snapshot.sha256()))
                .body("targets[0].message", containsString("no checksum"));
        assertThat(dir.list()).hasSize(3);
    }

    @Test
    void keepsVerifiedFileWhenDeletingQdrantsCopyFails() {
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", TestData.snapshot(5000));
        qdrant.server()
                .stubFor(com.github.tomakehurst.wiremock.client.WireMock
                        .delete(com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo(snapshot.downloadPath()))
                        .atPriority(1).willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(500)
                                .withBody("{\"status\":{\"error\":\"Service internal error: busy\"},\"time\":0.1}")));

        ServiceApi.trigger().then().statusCode(200)
                .body("targets[0].status", equalTo("completed"))
                .body("targets[0].remoteDeleted", equalTo(false))
                .body("targets[0].message", containsString("kept on the server"))
                .body("targets[0].message", containsString("500"));
        assertThat(dir.list()).hasSize(3);
    }

    @Test
    void failsWithoutCrashWhenCreateAnswersAcceptedWithoutResult() {
        SnapshotDir.Earlier earlier = dir.plantEarlierSnapshot();
        qdrant.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock
                .post("/collections/kairos/snapshots?wait=true").atPriority(1)
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(202)
                        .withHeader("Content-Type", "application/json").withBody("{\"status\":\"accepted\",\"time\":0.0}")));

        ServiceApi.trigger().then().statusCode(502)
                .body("targets[0].message", containsString("no snapshot description"));
        dir.assertOnly(earlier);
    }

    @Test
    void refusesCompressedBodyAlthoughIdentityWasAsked() throws Exception {
        SnapshotDir.Earlier earlier = dir.plantEarlierSnapshot();
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", TestData.snapshot(5000));
        java.io.ByteArrayOutputStream gzipped = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(gzipped)) {
            gzip.write(snapshot.body());
        }
        qdrant.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(snapshot.downloadPath())
                .atPriority(1).willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(200)
                        .withHeader("Content-Type", "application/octet-stream")
                        .withHeader("Content-Encoding", "gzip").withBody(gzipped.toByteArray())));

        ServiceApi.trigger().then().statusCode(502)
                .body("targets[0].message", containsString("encoded as `gzip`"));
        dir.assertOnly(earlier);
    }

    @Test
    void namesMissingCollectionAndQdrantsUrl() {
        qdrant.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.get("/collections/kairos/exists")
                .atPriority(1).willReturn(com.github.tomakehurst.wiremock.client.WireMock.okJson(
                        "{\"result\":{\"exists\":false},\"status\":\"ok\",\"time\":1.0e-5}")));

        ServiceApi.trigger().then().statusCode(502)
                .body("targets[0].message", containsString("Collection `kairos` does not exist at http://"));
        assertThat(qdrant.creates()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = { "../../etc/passwd", "kairos/other.snapshot", "..", "kairos%2F..%2Fsecrets.snapshot",
            "kairos\r\nX-Injected: yes.snapshot", "kairos\u0000.snapshot" })
    void neverUsesAnUnsafeSnapshotNameInAPathOrUrl(String name) {
        SnapshotDir.Earlier earlier = dir.plantEarlierSnapshot();
        QdrantStandIn.Snapshot hostile = new QdrantStandIn.Snapshot("kairos", name, new byte[0],
                TestData.sha256(new byte[0]));
        qdrant.createAnswers(hostile, hostile.sha256(), 0L);

        String body = ServiceApi.trigger().then().statusCode(502)
                .body("targets[0].message", containsString("not a plain file name"))
                .extract().asString();
        assertThat(body).doesNotContain("\r\n", "\u0000");
        assertThat(qdrant.requests("GET", "/collections/kairos/snapshots/")).isEmpty();
        assertThat(qdrant.requests("GET", "/etc")).isEmpty();
        assertThat(qdrant.requests("DELETE", "/")).isEmpty();
        dir.assertOnly(earlier);
        assertThat(dir.directory().getParent().resolve("etc")).doesNotExist();
    }

    @Test
    void readinessSaysWhatQdrantAnswered() {
        qdrant.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.get("/readyz").atPriority(1)
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(503)
                        .withHeader("Content-Type", "text/plain; charset=utf-8")
                        .withBody("some shards are not ready")));

        try (LogCapture logs = LogCapture.install()) {
            for (int probe = 0; probe < 5; probe++) {
                given().get("/q/health/ready").then().statusCode(503)
                        .body("checks.find { it.name == 'qdrant' }.data.reason", containsString("Qdrant answered 503"))
                        .body("checks.find { it.name == 'qdrant' }.data.reason", containsString("some shards are not ready"));
            }
            // a probe every few seconds through a half-hour boot snapshot must not write a line each time
            assertThat(logs.lines()).noneMatch(line -> line.contains("health") && line.contains("DOWN"));
        }
    }

    @Test
    void answersUnknownApiPathsWithProblemJson() {
        given().get("/api/snapshot").then().statusCode(405).contentType("application/problem+json")
                .body("status", equalTo(405));
    }
}
