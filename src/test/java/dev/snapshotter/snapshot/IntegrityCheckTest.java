package dev.snapshotter.snapshot;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * QDRANT_SNAPSHOT_VERIFY_SCHEDULE (a cron firing every 2 s here): every snapshot in the directory is re-read; one that
 * rotted on disk is marked, counted in the failing gauge and named in the directory's record, while its sound
 * neighbour is left as it was; a good copy put back is unmarked by the next check.
 */
@QuarkusTest
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.verify-schedule", value = "*/2 * * * * ?"))
@ExtendWith(SecretsStayHidden.class)
class IntegrityCheckTest {

    @InjectQdrant
    SnapshotDir dir;

    private static JsonPath listed() {
        return given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN).get("/api/snapshots").then()
                .statusCode(200).extract().jsonPath();
    }

    @Test
    void aRottenSnapshotIsMarkedAndCountedAndAGoodCopyPutBackIsUnmarked() throws Exception {
        Instant now = Instant.now();
        byte[] body = TestData.snapshot(30_000);
        Path sound = dir.plantSnapshot(now.minus(Duration.ofHours(2)), QdrantStandIn.COLLECTION,
                TestData.snapshot(20_000));
        Path rotten = dir.plantSnapshot(now.minus(Duration.ofHours(1)), QdrantStandIn.COLLECTION, body);
        byte[] flipped = body.clone();
        flipped[body.length / 2] ^= 0x01; // one bit, as bit rot does: same size
        Files.write(rotten, flipped);
        double mismatches = Scrape.value("snapshotter_verifications_total{result=\"mismatch\"}");

        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                Scrape.value("snapshotter_snapshots_failing_verification")).isEqualTo(1));
        JsonPath list = listed();
        assertThat(list.getBoolean("find { it.file == '" + rotten.getFileName() + "' }.verified")).isFalse();
        assertThat(list.getBoolean("find { it.file == '" + sound.getFileName() + "' }.verified")).isTrue();
        assertThat(Path.of(rotten + ".verify-failed")).exists();
        assertThat(Path.of(sound + ".verify-failed")).doesNotExist();
        assertThat(Scrape.value("snapshotter_verifications_total{result=\"mismatch\"}")).isGreaterThan(mismatches);
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonPath record = JsonPath.from(Files.readString(dir.directory().resolve(".integrity.json")));
            assertThat(record.getList("failed", String.class)).containsExactly(rotten.getFileName().toString());
            assertThat(record.getInt("checked")).isEqualTo(2);
            assertThat(Instant.parse(record.getString("startedAt"))).isAfter(now);
        });
        assertThat(Scrape.value("snapshotter_last_integrity_check_timestamp_seconds"))
                .isGreaterThanOrEqualTo(now.getEpochSecond());
        assertThat(Files.readAllBytes(rotten)).isEqualTo(flipped); // a check only reads

        Files.write(rotten, body); // a good copy put back (from off-site, say)

        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                Scrape.value("snapshotter_snapshots_failing_verification")).isZero());
        assertThat(Path.of(rotten + ".verify-failed")).doesNotExist();
        assertThat(listed().getBoolean("find { it.file == '" + rotten.getFileName() + "' }.verified")).isTrue();
    }
}
