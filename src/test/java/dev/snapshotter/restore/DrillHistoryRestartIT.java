package dev.snapshotter.restore;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

import dev.snapshotter.support.PackagedApp;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;

/**
 * {@code QDRANT_SNAPSHOT_DRILL_SCHEDULE=every 1h} with {@code QDRANT_SNAPSHOT_KEEP_LAST=1}: the snapshot a drill
 * passed on is pruned (with the drill's record beside it) by the next run, then the pod restarts. The restart still
 * knows that drill: the last-drill gauge gives its time, not 0, and no drill runs at boot (the next is due an hour
 * after it), as with the drilled snapshot still there.
 */
class DrillHistoryRestartIT {

    static final String PASSED = "snapshotter_drills_total{result=\"passed\"}";
    static final String LAST_PASSED = "snapshotter_last_drill_success_timestamp_seconds";

    @TempDir
    Path directory;

    private WireMockServer wireMock;
    private QdrantStandIn qdrant;

    @BeforeEach
    void startQdrant() {
        wireMock = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        wireMock.start();
        qdrant = QdrantStandIn.on(wireMock, new SnapshotDir(directory), null);
        qdrant.reset();
    }

    @AfterEach
    void stopQdrant() {
        wireMock.stop();
    }

    private Map<String, String> environment() {
        return Map.of("QDRANT_URL", wireMock.baseUrl(), "QDRANT_API_KEY", QdrantStandIn.API_KEY,
                "QDRANT_SNAPSHOT_API_TOKEN", ServiceApi.API_TOKEN, "QDRANT_COLLECTION", "kairos",
                "QDRANT_SNAPSHOT_DIR", directory.toString(), "QDRANT_SNAPSHOT_DRILL_SCHEDULE", "every 1h",
                "QDRANT_SNAPSHOT_KEEP_LAST", "1");
    }

    private static String metrics(PackagedApp.Running app) {
        return given().baseUri(app.url()).get("/q/metrics").then().statusCode(200).extract().asString();
    }

    @Test
    void aRestartKnowsTheLastDrillAfterItsSnapshotWasPruned() throws Exception {
        Path planted = qdrant.directory().plantRestorable(QdrantStandIn.POINTS);
        qdrant.restoresUploadsTo("drill-kairos-\\d{8}-\\d{6}", QdrantStandIn.POINTS, SnapshotDir.uploadName(planted),
                0, QdrantStandIn.SAMPLE_IDS);
        double drilledAt;
        try (PackagedApp.Running first = PackagedApp.start(environment())) {
            Awaitility.await().atMost(Duration.ofSeconds(40)).ignoreExceptions()
                    .until(() -> Scrape.value(metrics(first), PASSED) == 1);
            drilledAt = Scrape.value(metrics(first), LAST_PASSED);
            assertThat(drilledAt).isPositive();
            assertThat(planted.resolveSibling(planted.getFileName() + ".drill")).exists();

            qdrant.snapshotServed("kairos", TestData.snapshot(4096));
            given().baseUri(first.url()).header("Authorization", "Bearer " + ServiceApi.API_TOKEN)
                    .post("/api/snapshot").then().statusCode(200);
            assertThat(planted).doesNotExist();
            assertThat(planted.resolveSibling(planted.getFileName() + ".drill")).doesNotExist();
        }
        int uploads = qdrant.requests("POST", "/collections/drill-kairos-").size();

        try (PackagedApp.Running second = PackagedApp.start(environment())) {
            Awaitility.await().atMost(Duration.ofSeconds(40)).ignoreExceptions()
                    .until(() -> given().baseUri(second.url()).get("/q/health/started").statusCode() == 200);
            Thread.sleep(3_000); // a few ticks of the drill schedule: none may fire
            String scraped = metrics(second);
            assertThat(Scrape.value(scraped, LAST_PASSED)).isEqualTo(drilledAt);
            assertThat(Scrape.value(scraped, PASSED)).isZero();
            assertThat(Scrape.value(scraped, "snapshotter_drills_total{result=\"failed\"}")).isZero();
            assertThat(Scrape.value(scraped, "snapshotter_drills_total{result=\"refused\"}")).isZero();
            assertThat(qdrant.requests("POST", "/collections/drill-kairos-")).hasSize(uploads);
            assertThat(Files.list(directory)).noneMatch(file -> file.getFileName().toString().endsWith(".drill"));
        }
    }
}
