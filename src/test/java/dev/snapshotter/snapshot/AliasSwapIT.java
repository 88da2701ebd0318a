package dev.snapshotter.snapshot;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.PackagedApp;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.StandInPerTest;
import dev.snapshotter.support.TestData;

import io.restassured.path.json.JsonPath;

/**
 * QDRANT_COLLECTION names an alias that is moved between restarts, with QDRANT_SNAPSHOT_ON_START_MIN_INTERVAL=1h: the
 * restart after the swap must back up the collection the alias points at now, not skip because a file of the old
 * one is recent; the restart after that skips, naming the new collection's file.
 */
@ExtendWith(StandInPerTest.class)
class AliasSwapIT {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    private Map<String, String> environment() {
        return qdrant.appEnvironment(Map.of("QDRANT_COLLECTION", "prod", "QDRANT_SNAPSHOT_ON_START", "true",
                "QDRANT_SNAPSHOT_ON_START_MIN_INTERVAL", "1h"));
    }

    /** Boots the packaged app, waits until the boot snapshot has settled, and returns the startup check's data. */
    private static JsonPath bootAndSettle(PackagedApp.Running app) {
        app.awaitStarted();
        return given().baseUri(app.url()).get("/q/health/started").then().extract().jsonPath();
    }

    @Test
    void backsUpTheCollectionTheAliasPointsAtNowAfterASwap() throws Exception {
        qdrant.alias("prod", "kairos");
        qdrant.deletesAnySnapshot("kairos");
        qdrant.snapshotServed("kairos", TestData.snapshot(3000));
        try (PackagedApp.Running first = PackagedApp.start(environment())) {
            assertThat(bootAndSettle(first).getString("checks[0].data.status")).isEqualTo("completed");
        }
        assertThat(snapshotsOf("kairos")).hasSize(1);

        // the alias moves to kairos_v2; the pod restarts well within the hour
        qdrant.alias("prod", "kairos_v2");
        qdrant.deletesAnySnapshot("kairos_v2");
        qdrant.snapshotServed("kairos_v2", TestData.snapshot(4000));
        try (PackagedApp.Running second = PackagedApp.start(environment())) {
            JsonPath started = bootAndSettle(second);
            assertThat(started.getString("checks[0].data.status")).isEqualTo("completed");
            assertThat(started.getString("checks[0].data.file")).endsWith("-kairos_v2.snap");
            String metrics = given().baseUri(second.url()).get("/q/metrics").asString();
            double lastSuccess = metrics.lines()
                    .filter(line -> line.startsWith("snapshotter_last_success_timestamp_seconds{"))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).findFirst()
                    .orElseThrow();
            assertThat(lastSuccess).isGreaterThan(Instant.now().minusSeconds(60).getEpochSecond());
        }
        assertThat(snapshotsOf("kairos_v2")).hasSize(1);
        assertThat(qdrant.requests("POST", "/collections/kairos_v2/snapshots")).hasSize(1);

        // and the restart after that finds the new collection's recent file: skipped, naming it
        try (PackagedApp.Running third = PackagedApp.start(environment())) {
            JsonPath started = bootAndSettle(third);
            assertThat(started.getString("checks[0].data.status")).isEqualTo("skipped");
            assertThat(started.getString("checks[0].data.message"))
                    .contains(snapshotsOf("kairos_v2").get(0).getFileName().toString())
                    .contains("QDRANT_SNAPSHOT_ON_START_MIN_INTERVAL=1h");
        }
        assertThat(qdrant.requests("POST", "/collections/kairos_v2/snapshots")).hasSize(1);
    }

    private List<Path> snapshotsOf(String collection) {
        return dir.list().stream().filter(f -> f.getFileName().toString().endsWith("-" + collection + ".snap"))
                .toList();
    }
}
