package dev.snapshotter.snapshot;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.PackagedApp;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.StandInPerTest;
import dev.snapshotter.support.TestData;

import io.restassured.path.json.JsonPath;

/**
 * The packaged executable with {@code QDRANT_SNAPSHOT_VERIFY_SCHEDULE=every 1h}: the check at boot marks the snapshot
 * that rotted, says so in an ERROR line, records itself, and a restart publishes the check recorded without running
 * another (the next is due an hour after it).
 */
@ExtendWith(StandInPerTest.class)
class IntegrityCheckIT {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    private Map<String, String> environment() {
        return qdrant.appEnvironment(Map.of("QDRANT_SNAPSHOT_VERIFY_SCHEDULE", "every 1h"));
    }

    private static String metrics(PackagedApp.Running app) {
        return given().baseUri(app.url()).get("/q/metrics").then().statusCode(200).extract().asString();
    }

    @Test
    void theBootCheckMarksARottenSnapshotAndARestartCountsFromItsRecord() throws Exception {
        Path sound = dir.plantSnapshot(Instant.now().minus(Duration.ofHours(2)), QdrantStandIn.COLLECTION,
                TestData.snapshot(20_000));
        Path rotten = dir.plantSnapshot(Instant.now().minus(Duration.ofHours(1)), QdrantStandIn.COLLECTION,
                TestData.snapshot(30_000));
        byte[] bytes = Files.readAllBytes(rotten);
        bytes[100] ^= 0x01;
        Files.write(rotten, bytes);
        Path record = dir.directory().resolve(".integrity.json");
        String first;
        try (PackagedApp.Running app = PackagedApp.start(environment())) {
            Awaitility.await().atMost(Duration.ofSeconds(40)).ignoreExceptions().until(() -> Files.exists(record)
                    && Scrape.value(metrics(app), "snapshotter_snapshots_failing_verification") == 1);
            JsonPath recorded = JsonPath.from(Files.readString(record));
            first = recorded.getString("startedAt");
            assertThat(recorded.getInt("checked")).isEqualTo(2);
            assertThat(recorded.getList("failed", String.class)).containsExactly(rotten.getFileName().toString());
            assertThat(Path.of(rotten + ".verify-failed")).exists();
            assertThat(Path.of(sound + ".verify-failed")).doesNotExist();
            assertThat(app.output()).contains("ERROR").contains("Integrity check: 1 of 2 snapshots in ")
                    .contains("fail verification: " + rotten.getFileName());
        }

        try (PackagedApp.Running again = PackagedApp.start(environment())) {
            again.awaitStarted();
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> again.output().contains(
                    "Next integrity check at "));
            assertThat(Scrape.value(metrics(again), "snapshotter_last_integrity_check_timestamp_seconds"))
                    .isEqualTo(Instant.parse(first).getEpochSecond());
            assertThat(Scrape.value(metrics(again), "snapshotter_snapshots_failing_verification")).isEqualTo(1);
            assertThat(JsonPath.from(Files.readString(record)).getString("startedAt")).isEqualTo(first);
        }
    }
}
