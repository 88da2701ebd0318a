package dev.snapshotter.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.snapshotter.store.SnapshotCatalog;
import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.LogCapture;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/** {@code GET /api/snapshots}, the download of one, and its re-verification: what an operator copies off the pod. */
@QuarkusTest
@WithQdrantStandIn
@ExtendWith(SecretsStayHidden.class)
class SnapshotCatalogResourceTest {

    @jakarta.inject.Inject
    SnapshotCatalog catalog;

    static final String OLD_STYLE = "2026-01-01T00-00-00-000Z-kairos.snap";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @BeforeEach
    void resetQdrant() {
        qdrant.reset();
    }

    static RequestSpecification authorized() {
        return given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN);
    }

    /** A directory as operators leave it: one of our old snapshots, foreign files, a crash's leftover, a link. */
    private void plantMixedDirectory() throws Exception {
        dir.plantEarlierSnapshot(); // OLD_STYLE with its .sha256, from before manifests
        Path root = dir.directory();
        Files.writeString(root.resolve("notes.txt"), "operator's notes");
        Files.writeString(root.resolve("backup.snap"), "not our name");
        Files.writeString(root.resolve("backup.snap.sha256"), "0".repeat(64) + "  backup.snap\n");
        Files.writeString(root.resolve("2026-01-02T00-00-00-000Z-kairos.snap"), "no checksum file beside it");
        Files.writeString(root.resolve(".2026-01-05T00-00-00-000Z-kairos.snap.part"), "a run in flight");
        byte[] other = TestData.snapshot(2048);
        Files.write(root.resolve("2026-01-03T00-00-00-000Z-other.snap"), other);
        Files.writeString(root.resolve("2026-01-03T00-00-00-000Z-other.snap.sha256"),
                TestData.sha256(other) + "  2026-01-03T00-00-00-000Z-other.snap\n");
        Path outside = Files.writeString(Files.createTempFile("outside-", ".txt"), "outside the directory");
        outside.toFile().deleteOnExit();
        Files.createSymbolicLink(root.resolve("2026-01-04T00-00-00-000Z-kairos.snap"), outside);
        Files.writeString(root.resolve("2026-01-04T00-00-00-000Z-kairos.snap.sha256"),
                TestData.sha256("outside the directory".getBytes(StandardCharsets.UTF_8))
                        + "  2026-01-04T00-00-00-000Z-kairos.snap\n");
    }

    @Test
    void listsVerifiedSnapshotsNewestFirstWithTheirManifests() throws Exception {
        plantMixedDirectory();
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", TestData.snapshot(5000));
        String filePath = ServiceApi.trigger().then().statusCode(200).extract().path("targets[0].filePath");
        String taken = Path.of(filePath).getFileName().toString();

        JsonPath list = authorized().get("/api/snapshots").then().statusCode(200).contentType("application/json")
                .extract().jsonPath();

        assertThat(list.getList("file", String.class))
                .containsExactly(taken, "2026-01-03T00-00-00-000Z-other.snap", OLD_STYLE);
        assertThat(list.getString("[0].collection")).isEqualTo("kairos");
        assertThat(list.getLong("[0].size")).isEqualTo(snapshot.body().length);
        assertThat(list.getString("[0].sha256")).isEqualTo(snapshot.sha256());
        assertThat(list.getString("[0].reason")).isEqualTo("api");
        assertThat(list.getString("[0].qdrantVersion")).isEqualTo("1.19.0");
        assertThat(list.getLong("[0].pointsCount")).isEqualTo(1234);
        assertThat(list.getString("[0].createdAt")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(list.getString("[1].collection")).isEqualTo("other");
        assertThat(list.getString("[2].collection")).isEqualTo("kairos");
        assertThat(list.getString("[2].createdAt")).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(list.getString("[2].qdrantVersion")).isNull();
        assertThat(list.getBoolean("[2].manifest")).isFalse();
    }

    @Test
    void streamsAListedSnapshotByteForByte() throws Exception {
        SnapshotDir.Earlier earlier = dir.plantEarlierSnapshot();

        var response = authorized().get("/api/snapshots/" + OLD_STYLE).then().statusCode(200)
                .contentType("application/octet-stream")
                .header("Content-Length", String.valueOf(earlier.body().length))
                .header("ETag", "\"" + TestData.sha256(earlier.body()) + "\"")
                .header("Content-Disposition", "attachment; filename=\"" + OLD_STYLE + "\"")
                .extract();
        assertThat(response.asByteArray()).isEqualTo(earlier.body());
    }

    @ParameterizedTest
    @ValueSource(strings = { "..%2Fx", "%2E%2E%2Fetc%2Fpasswd", ".2026-01-05T00-00-00-000Z-kairos.snap.part",
            "2026-01-04T00-00-00-000Z-kairos.snap", "2026-01-02T00-00-00-000Z-kairos.snap", "backup.snap",
            "notes.txt", "2026-01-02T00-00-00-000Z-kairos.snap.sha256", "2099-01-01T00-00-00-000Z-kairos.snap",
            "2026-01-03T00-00-00-000Z-other.snap.json", "backup.snap.sha256" })
    void answers404ForAnythingButAListedFile(String name) throws Exception {
        plantMixedDirectory();

        authorized().urlEncodingEnabled(false).get("/api/snapshots/" + name).then().statusCode(404)
                .contentType("application/problem+json");
        authorized().urlEncodingEnabled(false).post("/api/snapshots/" + name + "/verify").then().statusCode(404);
    }

    @Test
    void answers404ForATraversalPath() throws Exception {
        plantMixedDirectory();

        authorized().urlEncodingEnabled(false).get("/api/snapshots/../../etc/passwd").then().statusCode(404);
        authorized().urlEncodingEnabled(false).get("/api/snapshots/..%2F..%2Fetc%2Fpasswd").then().statusCode(404);
        authorized().urlEncodingEnabled(false).get("/api/snapshots/%2e%2e/%2e%2e/etc/passwd").then().statusCode(404);
    }

    @Test
    void verifiesAndCatchesOneFlippedByte() throws Exception {
        SnapshotDir.Earlier earlier = dir.plantEarlierSnapshot();
        double mismatches = metric("snapshotter_verifications_total{result=\"mismatch\"}");
        double oks = metric("snapshotter_verifications_total{result=\"ok\"}");

        authorized().post("/api/snapshots/" + OLD_STYLE + "/verify").then().statusCode(200)
                .body("file", equalTo(OLD_STYLE)).body("verified", equalTo(true))
                .body("sha256", equalTo(TestData.sha256(earlier.body())))
                .body("expected", equalTo(TestData.sha256(earlier.body())));

        byte[] rotten = earlier.body().clone();
        rotten[1234] ^= 0x01;
        Files.write(earlier.snapshot(), rotten);
        try (LogCapture logs = LogCapture.install()) {
            authorized().post("/api/snapshots/" + OLD_STYLE + "/verify").then().statusCode(200)
                    .body("verified", equalTo(false))
                    .body("sha256", equalTo(TestData.sha256(rotten)))
                    .body("expected", equalTo(TestData.sha256(earlier.body())));
            assertThat(logs.lines()).anyMatch(line -> line.startsWith("ERROR") && line.contains(OLD_STYLE)
                    && line.contains("Verification failed"));
        }
        assertThat(metric("snapshotter_verifications_total{result=\"ok\"}")).isEqualTo(oks + 1);
        assertThat(metric("snapshotter_verifications_total{result=\"mismatch\"}")).isEqualTo(mismatches + 1);
    }

    @Test
    void servesSingleRangesSoACopyCanResume() {
        SnapshotDir.Earlier earlier = dir.plantEarlierSnapshot();
        byte[] body = earlier.body();
        int size = body.length;

        byte[] head = authorized().header("Range", "bytes=0-99").get("/api/snapshots/" + OLD_STYLE).then()
                .statusCode(206).header("Content-Length", "100").header("Content-Range", "bytes 0-99/" + size)
                .header("Accept-Ranges", "bytes").extract().asByteArray();
        assertThat(head).isEqualTo(java.util.Arrays.copyOfRange(body, 0, 100));
        byte[] rest = authorized().header("Range", "bytes=4000-").get("/api/snapshots/" + OLD_STYLE).then()
                .statusCode(206).header("Content-Length", String.valueOf(size - 4000))
                .header("Content-Range", "bytes 4000-" + (size - 1) + "/" + size).extract().asByteArray();
        assertThat(rest).isEqualTo(java.util.Arrays.copyOfRange(body, 4000, size));
        byte[] tail = authorized().header("Range", "bytes=-10").get("/api/snapshots/" + OLD_STYLE).then()
                .statusCode(206).header("Content-Range", "bytes " + (size - 10) + "-" + (size - 1) + "/" + size)
                .extract().asByteArray();
        assertThat(tail).isEqualTo(java.util.Arrays.copyOfRange(body, size - 10, size));
        authorized().header("Range", "bytes=" + size + "-").get("/api/snapshots/" + OLD_STYLE).then()
                .statusCode(416).header("Content-Range", "bytes */" + size).contentType("application/problem+json");
        // several ranges, or a stale If-Range: the whole file, as RFC 9110 allows
        assertThat(authorized().header("Range", "bytes=0-9,20-29").get("/api/snapshots/" + OLD_STYLE).then()
                .statusCode(200).header("Content-Length", String.valueOf(size)).header("Accept-Ranges", "bytes")
                .extract().asByteArray()).isEqualTo(body);
        authorized().header("Range", "bytes=0-9").header("If-Range", "\"stale\"").get("/api/snapshots/" + OLD_STYLE)
                .then().statusCode(200).header("Content-Length", String.valueOf(size));
    }

    @Test
    void servesTheChecksumFileAndTheManifest() {
        SnapshotDir.Earlier earlier = dir.plantEarlierSnapshot();
        qdrant.snapshotServed("kairos", TestData.snapshot(3000));
        String taken = Path.of(ServiceApi.trigger().then().statusCode(200).extract()
                .<String> path("targets[0].filePath")).getFileName().toString();

        assertThat(authorized().get("/api/snapshots/" + OLD_STYLE + ".sha256").then().statusCode(200)
                .contentType(org.hamcrest.Matchers.startsWith("text/plain")).extract().asString())
                .isEqualTo(earlier.sidecarLine());
        authorized().get("/api/snapshots/" + taken + ".json").then().statusCode(200).contentType("application/json")
                .body("file", equalTo(taken)).body("qdrant.version", equalTo("1.19.0"));
        // taken before manifests existed: it has none
        authorized().get("/api/snapshots/" + OLD_STYLE + ".json").then().statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void deletesASnapshotWithItsFilesButKeepsTheNewestUnlessForced() throws Exception {
        SnapshotDir.Earlier earlier = dir.plantEarlierSnapshot();
        qdrant.snapshotServed("kairos", TestData.snapshot(3000));
        Path taken = Path.of(ServiceApi.trigger().then().statusCode(200).extract()
                .<String> path("targets[0].filePath"));
        double deletions = metric("snapshotter_deletions_total{target=\"qdrant\"}");

        try (LogCapture logs = LogCapture.install()) {
            authorized().delete("/api/snapshots/" + OLD_STYLE).then().statusCode(200)
                    .body("file", equalTo(OLD_STYLE))
                    .body("deleted", org.hamcrest.Matchers.contains(OLD_STYLE, OLD_STYLE + ".sha256"));
            assertThat(logs.lines()).anyMatch(line -> line.startsWith("INFO") && line.contains("Deleted " + OLD_STYLE));
        }
        assertThat(earlier.snapshot()).doesNotExist();
        assertThat(earlier.sidecar()).doesNotExist();

        authorized().delete("/api/snapshots/" + taken.getFileName()).then().statusCode(409)
                .contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.containsString("newest verified snapshot"))
                .body("detail", org.hamcrest.Matchers.containsString("force=true"));
        assertThat(taken).exists();
        authorized().delete("/api/snapshots/" + taken.getFileName() + "?force=true").then().statusCode(200);
        assertThat(dir.list()).isEmpty();
        assertThat(metric("snapshotter_deletions_total{target=\"qdrant\"}")).isEqualTo(deletions + 2);
        given().delete("/api/snapshots/" + taken.getFileName()).then().statusCode(401);
    }

    @Test
    void refusesToDeleteWhileARestoreOrDrillReadsLocalSnapshots() throws Exception {
        SnapshotDir.Earlier earlier = dir.plantEarlierSnapshot();
        qdrant.snapshotServed("kairos", TestData.snapshot(3000));
        ServiceApi.trigger().then().statusCode(200);

        try (SnapshotCatalog.Reading reading = catalog.reading()) { // as a restore or drill holds it while it runs
            authorized().delete("/api/snapshots/" + earlier.snapshot().getFileName()).then().statusCode(409)
                    .contentType("application/problem+json")
                    .body("title", equalTo("Snapshots being read"))
                    .body("detail", equalTo("A restore or drill is reading local snapshots now; delete "
                            + earlier.snapshot().getFileName() + " once it has ended (GET /api/runs shows it)."));
        }
        assertThat(earlier.snapshot()).exists();
        assertThat(earlier.sidecar()).exists();
        authorized().delete("/api/snapshots/" + earlier.snapshot().getFileName()).then().statusCode(200);
        assertThat(earlier.snapshot()).doesNotExist();
    }

    @Test
    void marksAFileThatFailedVerificationAndServesItOnlyWhenAskedExplicitly() throws Exception {
        SnapshotDir.Earlier earlier = dir.plantEarlierSnapshot();
        byte[] rotten = earlier.body().clone();
        rotten[10] ^= 0x01;
        Files.write(earlier.snapshot(), rotten);
        authorized().post("/api/snapshots/" + OLD_STYLE + "/verify").then().statusCode(200)
                .body("verified", equalTo(false));

        authorized().get("/api/snapshots").then().statusCode(200)
                .body("[0].file", equalTo(OLD_STYLE)).body("[0].verified", equalTo(false))
                .body("[0].verificationFailedAt", org.hamcrest.Matchers.startsWith("20"));
        JsonNode mark = new ObjectMapper().readTree(earlier.snapshot().resolveSibling(OLD_STYLE + ".verify-failed")
                .toFile());
        assertThat(mark.fieldNames()).toIterable().containsExactly("failedAt", "sha256", "expected", "problem");
        assertThat(mark.path("expected").asText()).isEqualTo(earlier.sidecarLine().split("\\s+")[0]);
        authorized().get("/api/snapshots/" + OLD_STYLE).then().statusCode(409)
                .contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.containsString("failed verification"))
                .body("detail", org.hamcrest.Matchers.containsString("?unverified=true"));
        var served = authorized().get("/api/snapshots/" + OLD_STYLE + "?unverified=true").then().statusCode(200)
                .extract();
        assertThat(served.header("ETag")).isNull();
        assertThat(served.asByteArray()).isEqualTo(rotten);

        // it is no backup: it is not the newest that deletion protects
        authorized().delete("/api/snapshots/" + OLD_STYLE).then().statusCode(200);
    }

    @Test
    void liftsTheMarkWhenTheFileMatchesAgain() throws Exception {
        SnapshotDir.Earlier earlier = dir.plantEarlierSnapshot();
        Files.write(earlier.snapshot(), TestData.snapshot(7));
        authorized().post("/api/snapshots/" + OLD_STYLE + "/verify").then().body("verified", equalTo(false));
        Files.write(earlier.snapshot(), earlier.body()); // restored from a copy
        authorized().post("/api/snapshots/" + OLD_STYLE + "/verify").then().body("verified", equalTo(true));
        authorized().get("/api/snapshots").then().body("[0].verified", equalTo(true));
        authorized().get("/api/snapshots/" + OLD_STYLE).then().statusCode(200)
                .header("ETag", "\"" + TestData.sha256(earlier.body()) + "\"");
    }

    @Test
    void guardsEveryCatalogEndpointWithTheToken() throws Exception {
        dir.plantEarlierSnapshot();
        for (RequestSpecification request : List.of(given(), given().header("Authorization", "Bearer nope"))) {
            request.get("/api/snapshots").then().statusCode(401).contentType("application/problem+json");
        }
        given().get("/api/snapshots/" + OLD_STYLE).then().statusCode(401);
        given().post("/api/snapshots/" + OLD_STYLE + "/verify").then().statusCode(401);
        given().get("/api/snapshots/" + OLD_STYLE + ".sha256").then().statusCode(401);
        given().delete("/api/snapshots/" + OLD_STYLE).then().statusCode(401);
        assertThat(dir.list()).hasSize(2);
    }

    static double metric(String series) {
        return Scrape.value(series);
    }
}
