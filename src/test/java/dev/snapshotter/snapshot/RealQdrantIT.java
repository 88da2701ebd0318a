package dev.snapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.qdrant.QdrantContainer;

import dev.snapshotter.support.PackagedApp;

import io.restassured.path.json.JsonPath;

/**
 * The packaged service against the real {@code qdrant/qdrant} image, through Testcontainers: the boot snapshot, an
 * API snapshot, a collection reached through an alias, Qdrant's own checksums verified, and a round trip: the file
 * restored under another name with its count, and a restore drill. Runs wherever a Docker
 * engine answers (a laptop, a CI runner with Docker); skipped where none does.
 */
@Testcontainers(disabledWithoutDocker = true)
class RealQdrantIT {

    static final String IMAGE = "qdrant/qdrant:v1.19.0";
    static final String API_KEY = "qk-SECRET-real-qdrant";

    @Container
    static final QdrantContainer QDRANT = new QdrantContainer(IMAGE).withApiKey(API_KEY);

    @TempDir
    Path snapshots;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void takesVerifiedSnapshotsOfTheCollectionAnAliasPointsAt() throws Exception {
        String qdrant = "http://" + QDRANT.getHost() + ":" + QDRANT.getMappedPort(6333);
        call(qdrant, "PUT", "/collections/kairos_v2", "{\"vectors\":{\"size\":4,\"distance\":\"Cosine\"}}");
        call(qdrant, "PUT", "/collections/kairos_v2/points?wait=true", "{\"points\":["
                + "{\"id\":1,\"vector\":[0.1,0.2,0.3,0.4],\"payload\":{\"text\":\"first memory\"}},"
                + "{\"id\":2,\"vector\":[0.4,0.3,0.2,0.1],\"payload\":{\"text\":\"second memory\"}}]}");
        call(qdrant, "POST", "/collections/aliases",
                "{\"actions\":[{\"create_alias\":{\"collection_name\":\"kairos_v2\",\"alias_name\":\"kairos\"}}]}");

        try (PackagedApp.Running app = PackagedApp.start(Map.of("QDRANT_URL", qdrant, "QDRANT_API_KEY", API_KEY,
                "QDRANT_COLLECTION", "kairos", "QDRANT_SNAPSHOT_ON_START", "true",
                "QDRANT_SNAPSHOT_DIR", snapshots.toString()))) {
            Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> get(app.url() + "/q/health/started").statusCode() == 200);
            JsonPath started = new JsonPath(get(app.url() + "/q/health/started").body());
            assertThat(started.getString("checks[0].data.status")).as(app.output()).isEqualTo("completed");
            assertThat(snapFiles()).hasSize(1).allSatisfy(RealQdrantIT::matchesItsChecksumFile);

            HttpResponse<String> triggered = http.send(HttpRequest.newBuilder(URI.create(app.url() + "/api/snapshot"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(triggered.statusCode()).as(triggered.body()).isEqualTo(200);
            JsonPath report = new JsonPath(triggered.body());
            assertThat(report.getString("targets[0].collection")).isEqualTo("kairos_v2");
            assertThat(report.getString("targets[0].snapshotName")).startsWith("kairos_v2-").endsWith(".snapshot");
            assertThat(report.getBoolean("targets[0].remoteDeleted")).isTrue();
            Path file = Path.of(report.getString("targets[0].filePath"));
            assertThat(sha256(file)).isEqualTo(report.getString("targets[0].sha256"));
            // Qdrant's checksum matched (or the run would have failed); the message would say if it had none
            assertThat(report.getString("targets[0].message")).isNull();
            assertThat(snapFiles()).hasSize(2).allSatisfy(RealQdrantIT::matchesItsChecksumFile);
            JsonPath manifest = new JsonPath(Files.readString(Path.of(file + ".json")));
            assertThat(manifest.getString("qdrant.version")).isEqualTo("1.19.0");
            assertThat(manifest.getString("collection.name")).isEqualTo("kairos_v2");
            assertThat(manifest.getList("aliases", String.class)).containsExactly("kairos");
            assertThat(manifest.getLong("collection.points_count")).isEqualTo(2);
            assertThat(manifest.getString("checksumSource")).isEqualTo("qdrant");

            // the server-side copies were deleted after ours verified
            JsonPath listed = new JsonPath(call(qdrant, "GET", "/collections/kairos_v2/snapshots", null));
            assertThat(listed.getList("result")).isEmpty();
            assertThat(manifest.getString("archive.qdrantVersion")).isEqualTo("1.19.0");
            assertThat(manifest.getLong("points.count")).isEqualTo(2);

            // round trip: the file comes back into Qdrant under another name, with its count and points
            HttpResponse<String> restored = http.send(HttpRequest.newBuilder(
                    URI.create(app.url() + "/api/snapshots/" + file.getFileName() + "/restore"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"collection\":\"kairos_back\",\"aliases\":false}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(restored.statusCode()).as(restored.body()).isEqualTo(200);
            assertThat(new JsonPath(restored.body()).getLong("pointsFound")).isEqualTo(2);
            JsonPath count = new JsonPath(call(qdrant, "POST", "/collections/kairos_back/points/count",
                    "{\"exact\":true}"));
            assertThat(count.getLong("result.count")).isEqualTo(2);
            // Qdrant's copy of the upload was deleted
            assertThat(new JsonPath(call(qdrant, "GET", "/collections/kairos_back/snapshots", null))
                    .getList("result")).isEmpty();

            // and a drill passes and leaves no scratch collection behind
            HttpResponse<String> drilled = http.send(HttpRequest.newBuilder(URI.create(app.url() + "/api/drill"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(drilled.statusCode()).as(drilled.body()).isEqualTo(200);
            assertThat(call(qdrant, "GET", "/collections", null)).doesNotContain("drill-");
            assertThat(app.output()).doesNotContain(API_KEY);
        }
    }

    private List<Path> snapFiles() throws IOException {
        try (Stream<Path> files = Files.list(snapshots)) {
            return files.filter(f -> f.toString().endsWith(".snap")).sorted().toList();
        }
    }

    private static void matchesItsChecksumFile(Path snap) {
        try {
            String line = Files.readString(Path.of(snap + ".sha256"), StandardCharsets.UTF_8);
            assertThat(line).isEqualTo(sha256(snap) + "  " + snap.getFileName() + "\n");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String call(String base, String method, String path, String json) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).header("api-key", API_KEY);
        request = json == null ? request.method(method, HttpRequest.BodyPublishers.noBody())
                : request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(json));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(200);
        return response.body();
    }
}
