package dev.snapshotter.restore;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.PackagedApp;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.StandInPerTest;
import dev.snapshotter.support.TestData;

/**
 * {@code QDRANT_SNAPSHOT_DRILL_SCHEDULE=every 1h} with {@code QDRANT_SNAPSHOT_KEEP_LAST=1}: the snapshot a drill
 * passed on is pruned (with the drill's record beside it) by the next run, then the pod restarts. The restart still
 * knows that drill: the last-drill gauge gives its time, not 0, and no drill runs at boot (the next is due an hour
 * after it), as with the drilled snapshot still there.
 */
@ExtendWith(StandInPerTest.class)
class DrillHistoryRestartIT {

    static final String PASSED = "snapshotter_drills_total{result=\"passed\"}";
    static final String LAST_PASSED = "snapshotter_last_drill_success_timestamp_seconds";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    private Map<String, String> environment() {
        return qdrant.appEnvironment(Map.of("QDRANT_SNAPSHOT_DRILL_SCHEDULE", "every 1h", "QDRANT_SNAPSHOT_KEEP_LAST", "1"));
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
            // counted just before its run ends: a trigger in between would find the run going (409)
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> ServiceApi.api(first).get("/api/runs").then().statusCode(200)
                            .extract().jsonPath().getList("findAll { it.status == 'running' }").isEmpty());

            qdrant.snapshotServed("kairos", TestData.snapshot(4096));
            ServiceApi.api(first).post("/api/snapshot").then().statusCode(200);
            assertThat(planted).doesNotExist();
            assertThat(planted.resolveSibling(planted.getFileName() + ".drill")).doesNotExist();
        }
        int uploads = qdrant.requests("POST", "/collections/drill-kairos-").size();

        try (PackagedApp.Running second = PackagedApp.start(environment())) {
            second.awaitStarted();
            Thread.sleep(3_000); // a few ticks of the drill schedule: none may fire
            String scraped = metrics(second);
            assertThat(Scrape.value(scraped, LAST_PASSED)).isEqualTo(drilledAt);
            assertThat(Scrape.value(scraped, PASSED)).isZero();
            assertThat(Scrape.value(scraped, "snapshotter_drills_total{result=\"failed\"}")).isZero();
            assertThat(Scrape.value(scraped, "snapshotter_drills_total{result=\"refused\"}")).isZero();
            assertThat(qdrant.requests("POST", "/collections/drill-kairos-")).hasSize(uploads);
            assertThat(Files.list(dir.directory())).noneMatch(file -> file.getFileName().toString().endsWith(".drill"));
        }
    }
}
