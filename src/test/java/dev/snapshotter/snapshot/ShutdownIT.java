package dev.snapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.github.tomakehurst.wiremock.WireMockServer;

import dev.snapshotter.support.FaultyDownloadServer;
import dev.snapshotter.support.PackagedApp;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;

/**
 * SIGTERM while a snapshot downloads (a rolling update, a node drain): the packaged app answers the waiting client,
 * removes its temporary file, records Qdrant's copy, says so in one line, and exits within 5 s. The next process
 * deletes the copy that run left on Qdrant.
 */
class ShutdownIT {

    @TempDir
    Path directory;

    private WireMockServer wireMock;
    private FaultyDownloadServer downloads;
    private QdrantStandIn qdrant;
    private SnapshotDir dir;

    @BeforeEach
    void startQdrant() throws Exception {
        wireMock = new WireMockServer(QdrantStandIn.loopback());
        wireMock.start();
        downloads = FaultyDownloadServer.start();
        dir = new SnapshotDir(directory);
        qdrant = QdrantStandIn.on(wireMock, dir, downloads);
        qdrant.reset();
    }

    @AfterEach
    void stopQdrant() {
        wireMock.stop();
        downloads.close();
    }

    private Map<String, String> environment() {
        return Map.of("QDRANT_URL", wireMock.baseUrl(), "QDRANT_SNAPSHOT_DOWNLOAD_URL", downloads.url(),
                "QDRANT_API_KEY", QdrantStandIn.API_KEY, "QDRANT_SNAPSHOT_API_TOKEN", ServiceApi.API_TOKEN,
                "QDRANT_SNAPSHOT_DIR", directory.toString(), "QDRANT_SNAPSHOT_STALL_TIMEOUT", "5m");
    }

    @Test
    void cancelsTheRunningSnapshotAndAnswersItsCaller() throws Exception {
        byte[] body = TestData.snapshot(8 * 1024 * 1024);
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", body);
        downloads.plan(new FaultyDownloadServer.Plan(body, 3 * 1024 * 1024, FaultyDownloadServer.Ending.STALL));
        HttpClient http = HttpClient.newHttpClient();

        CompletableFuture<HttpResponse<String>> answer;
        String output;
        try (PackagedApp.Running app = PackagedApp.start(environment())) {
            awaitLive(http, app);
            answer = http.sendAsync(HttpRequest.newBuilder(URI.create(app.url() + "/api/snapshot"))
                    .header("Authorization", "Bearer " + ServiceApi.API_TOKEN)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> partFiles().findAny().isPresent());
            Thread.sleep(1500); // the 3 MiB sent are read: the app now waits in a socket read that cannot be interrupted

            long sigterm = System.nanoTime();
            app.process().destroy();
            HttpResponse<String> response;
            try {
                response = answer.get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("no answer within 5 s of SIGTERM; the app said:\n" + app.output(), e);
            }
            assertThat(app.process().waitFor(5, TimeUnit.SECONDS)).as("exits within 5 s of SIGTERM").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - sigterm)).isLessThan(Duration.ofSeconds(5));
            output = app.output();

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body()).contains("\"status\":\"failed\"", "Cancelled by shutdown",
                    snapshot.name() + " is recorded for deletion by the next run");
        }
        assertThat(output.lines().filter(line -> line.contains("Snapshot cancelled by shutdown"))).hasSize(1);
        assertThat(output).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("Snapshot failed");
        assertThat(partFiles()).isEmpty();
        assertThat(dir.list()).isEmpty();
        assertThat(dir.ledger()).contains(snapshot.name());

        // the next process deletes what the cancelled run left on Qdrant
        Thread.sleep(1100); // the next snapshot gets a name of its own (Qdrant names them to the second)
        qdrant.listsSnapshots("kairos", snapshot.name());
        qdrant.deletesAnySnapshot("kairos");
        qdrant.snapshotServed("kairos", TestData.snapshot(4096));
        try (PackagedApp.Running app = PackagedApp.start(environment())) {
            awaitLive(http, app);
            HttpResponse<String> next = http.send(HttpRequest.newBuilder(URI.create(app.url() + "/api/snapshot"))
                    .header("Authorization", "Bearer " + ServiceApi.API_TOKEN)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
            assertThat(next.body()).contains("\"orphansRemoved\":[\"" + snapshot.name() + "\"]");
        }
        assertThat(qdrant.requests("DELETE", snapshot.downloadPath())).hasSize(1);
    }

    private static void awaitLive(HttpClient http, PackagedApp.Running app) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> http.send(
                HttpRequest.newBuilder(URI.create(app.url() + "/q/health/live")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
    }

    private Stream<Path> partFiles() throws Exception {
        return Files.list(directory).filter(p -> p.getFileName().toString().endsWith(".snap.part"));
    }
}
