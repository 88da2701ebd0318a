package dev.snapshotter.snapshot;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** The {@code .json} manifest beside every verified snapshot: what a restore needs besides the data. */
@QuarkusTest
@WithQdrantStandIn
@ExtendWith(SecretsStayHidden.class)
class ManifestTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @BeforeEach
    void resetQdrant() {
        qdrant.reset();
    }

    @Test
    void describesTheSnapshotTheCollectionAndTheServer() throws Exception {
        // QDRANT_COLLECTION is "kairos", an alias of kairos_v2
        qdrant.alias("kairos", "kairos_v2");
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos_v2", TestData.snapshot(4321));
        Instant before = Instant.now();

        JsonPath report = ServiceApi.trigger().then().statusCode(200).extract().jsonPath();
        Path file = Path.of(report.getString("targets[0].filePath"));
        JsonPath manifest = JsonPath.from(Path.of(file + ".json").toFile());

        assertThat(manifest.getInt("format")).isEqualTo(1);
        assertThat(manifest.getString("target")).isEqualTo("qdrant");
        assertThat(manifest.getString("collection.name")).isEqualTo("kairos_v2");
        assertThat(manifest.getList("aliases", String.class)).containsExactly("kairos");
        assertThat(manifest.getString("configuredName")).isEqualTo("kairos");
        assertThat(manifest.getString("reason")).isEqualTo("api");
        assertThat(Instant.parse(manifest.getString("startedAt"))).isBetween(before.minusSeconds(1), Instant.now());
        assertThat(Instant.parse(manifest.getString("completedAt")))
                .isAfterOrEqualTo(Instant.parse(manifest.getString("startedAt")));
        assertThat(manifest.getString("file")).isEqualTo(file.getFileName().toString());
        assertThat(manifest.getLong("bytes")).isEqualTo(snapshot.body().length);
        assertThat(manifest.getString("sha256")).isEqualTo(snapshot.sha256());
        assertThat(manifest.getString("checksumSource")).isEqualTo("qdrant");
        assertThat(manifest.getString("qdrantSnapshotName")).isEqualTo(snapshot.name());
        assertThat(manifest.getString("qdrant.version")).isEqualTo("1.19.0");
        assertThat(manifest.getString("qdrant.commit")).isEqualTo("74f3e85b9473c62560006c043e13737ce6b48412");
        assertThat(manifest.getString("collection.status")).isEqualTo("green");
        assertThat(manifest.getLong("collection.points_count")).isEqualTo(1234);
        assertThat(manifest.getInt("collection.segments_count")).isEqualTo(2);
        assertThat(manifest.getInt("collection.config.params.vectors.size")).isEqualTo(384);
        assertThat(manifest.getString("collection.config.params.vectors.distance")).isEqualTo("Cosine");
        assertThat(manifest.getLong("points.count")).isEqualTo(QdrantStandIn.POINTS);
        assertThat(manifest.getLong("points.before")).isEqualTo(QdrantStandIn.POINTS);
        assertThat(manifest.getLong("points.after")).isEqualTo(QdrantStandIn.POINTS);
        assertThat(manifest.getList("remarks")).isEmpty();
        assertThat(report.getString("targets[0].message")).isNull();
    }

    @Test
    void recordsTheRangeOfPointsWhenWritesLandedDuringTheSnapshot() {
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", TestData.snapshot(1000));
        qdrant.pointsCounted("kairos", 1_000, 1_003);

        JsonPath manifest = manifestOf(ServiceApi.trigger().then().statusCode(200).extract().jsonPath());

        assertThat(manifest.getString("points.count")).isNull();
        assertThat(manifest.getLong("points.min")).isEqualTo(1_000);
        assertThat(manifest.getLong("points.max")).isEqualTo(1_003);
        assertThat(snapshot.body()).isNotEmpty();
    }

    @Test
    void aCountThatFailsIsARemarkNeverAFailedSnapshot() {
        qdrant.snapshotServed("kairos", TestData.snapshot(1000));
        qdrant.server().stubFor(post(urlEqualTo("/collections/kairos/points/count")).atPriority(1)
                .willReturn(aResponse().withStatus(500).withHeader("Content-Type", "application/json")
                        .withBody("{\"status\":{\"error\":\"Service internal error: boom\"},\"time\":0.0001}")));

        JsonPath report = ServiceApi.trigger().then().statusCode(200)
                .body("targets[0].status", equalTo("completed")).extract().jsonPath();
        JsonPath manifest = manifestOf(report);

        assertThat(manifest.getString("points.count")).isNull();
        assertThat(manifest.getString("points.min")).isNull();
        assertThat(manifest.getList("remarks", String.class))
                .anySatisfy(r -> assertThat(r).startsWith("points.before is null").contains("500", "boom"))
                .anySatisfy(r -> assertThat(r).startsWith("points.after is null"));
        assertThat(report.getString("targets[0].message")).contains("points.before is null");
    }

    /**
     * The manifest's name taken by a directory (planted while the create is slow, at the name the run's id gives), so
     * that its write fails after the snapshot and its checksum file are published: the run completes, says why the
     * manifest is missing, and the snapshot stays listed and downloadable from its name.
     */
    @Test
    void aManifestThatCannotBeWrittenIsARemarkNeverAFailedSnapshot() throws Exception {
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", TestData.snapshot(4321));
        qdrant.createSlow(snapshot, 1_500);
        CompletableFuture<Response> waiting = CompletableFuture.supplyAsync(ServiceApi::trigger);
        String id = Awaitility.await().atMost(Duration.ofSeconds(5)).until(
                () -> ServiceApi.api().get("/api/runs").then().extract().jsonPath().getString("[0].id"),
                running -> running != null && running.endsWith("-api"));
        // the run's id and its file are named after the same instant: <UTC time>-api, <UTC time>-kairos.snap
        String fileName = id.substring(0, id.length() - "api".length()) + "kairos.snap";
        Path taken = qdrant.directory().directory().resolve(fileName + ".json");
        Files.createDirectories(taken.resolve("in-the-way"));

        JsonPath report = waiting.get().then().statusCode(200).body("targets[0].status", equalTo("completed"))
                .extract().jsonPath();

        Path file = Path.of(report.getString("targets[0].filePath"));
        assertThat(file.getFileName()).hasToString(fileName);
        assertThat(report.getString("targets[0].message")).contains("The snapshot is complete and verified, but its "
                + "manifest " + fileName + ".json could not be written");
        assertThat(TestData.sha256(Files.readAllBytes(file))).isEqualTo(snapshot.sha256());
        assertThat(Files.readString(file.resolveSibling(fileName + ".sha256")))
                .isEqualTo(snapshot.sha256() + "  " + fileName + "\n");
        ServiceApi.api().get("/api/snapshots").then().statusCode(200)
                .rootPath("find { it.file == '" + fileName + "' }").body("sha256", equalTo(snapshot.sha256()))
                .body("manifest", equalTo(false));
        ServiceApi.api().get("/api/snapshots/" + fileName).then().statusCode(200).header("ETag",
                containsString(snapshot.sha256()));
    }

    @Test
    void keepsItsKeysInTheirOrder() throws Exception {
        qdrant.snapshotServed("kairos", TestData.snapshot(1000));

        String report = ServiceApi.trigger().then().statusCode(200).extract().jsonPath()
                .getString("targets[0].filePath");
        JsonNode manifest = new ObjectMapper().readTree(Path.of(report + ".json").toFile());

        // what a reader of the file may rely on: a key is never renamed or dropped, and the order stays
        assertThat(manifest.fieldNames()).toIterable().containsExactly("format", "target", "collection", "aliases",
                "configuredName", "reason", "startedAt", "qdrant", "cluster", "remarks", "points", "completedAt",
                "file", "bytes", "sha256", "checksumSource", "qdrantSnapshotName", "archive");
        assertThat(manifest.get("collection").fieldNames()).toIterable().containsExactly("name", "status",
                "points_count", "segments_count", "config");
        assertThat(manifest.get("qdrant").fieldNames()).toIterable().containsExactly("version", "commit");
        assertThat(manifest.get("cluster").fieldNames()).toIterable().containsExactly("mode", "peerId", "shards");
        assertThat(manifest.get("points").fieldNames()).toIterable().containsExactly("sample", "before", "after",
                "count", "min", "max");
    }

    private static JsonPath manifestOf(JsonPath report) {
        return JsonPath.from(Path.of(report.getString("targets[0].filePath") + ".json").toFile());
    }

    @Test
    void stillCompletesWhenQdrantWillNotDescribeItself() throws Exception {
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", TestData.snapshot(1000));
        qdrant.createAnswers(snapshot, null, (long) snapshot.body().length);
        qdrant.server().stubFor(get(urlEqualTo("/")).atPriority(1).willReturn(aResponse().withStatus(500)
                .withBody("boom")));
        qdrant.server().stubFor(get(urlEqualTo("/collections/kairos")).atPriority(1).willReturn(aResponse()
                .withStatus(404).withHeader("Content-Type", "application/json")
                .withBody("{\"status\":{\"error\":\"Not found: Collection `kairos` doesn't exist!\"},\"time\":0.0001}")));

        JsonPath report = ServiceApi.trigger().then().statusCode(200)
                .body("targets[0].status", equalTo("completed"))
                .body("targets[0].message", containsString("Manifest: Qdrant version unavailable"))
                .extract().jsonPath();
        JsonPath manifest = JsonPath.from(Path.of(report.getString("targets[0].filePath") + ".json").toFile());

        assertThat(manifest.getString("qdrant.version")).isNull();
        assertThat(manifest.getString("qdrant.commit")).isNull();
        assertThat(manifest.getString("collection.name")).isEqualTo("kairos");
        assertThat(manifest.getString("collection.points_count")).isNull();
        assertThat(manifest.getString("collection.config")).isNull();
        assertThat(manifest.getString("checksumSource")).isEqualTo("computed");
        assertThat(manifest.getList("remarks", String.class))
                .anySatisfy(r -> assertThat(r).contains("Qdrant version unavailable", "500"))
                .anySatisfy(r -> assertThat(r).contains("collection info unavailable", "404"));
    }
}
