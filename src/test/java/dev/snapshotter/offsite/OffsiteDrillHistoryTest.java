package dev.snapshotter.offsite;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Files;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.InjectS3;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.S3Bucket;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/**
 * A pod without a volume ({@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false}) restarts with
 * {@code QDRANT_SNAPSHOT_DRILL_SCHEDULE=every 1h}: its directory holds no drill record, and the bucket holds the one
 * of the drill that passed ten minutes ago. The next drill is due in fifty minutes, not at once (a pod restarting in a
 * loop would restore the collection into a scratch one at each boot), and the last-drill gauge gives that drill's
 * time, not 0. A drill records itself in the bucket and the record it supersedes goes; a failed one is recorded
 * beside the last passed one, and a scratch collection it could not drop stays recorded there.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.drill-schedule", value = "every 1h"), drillable = true)
@WithS3(passedDrillAge = "PT10M", config = @ResourceArg(name = "qdrant.snapshot.s3.keep-local", value = "false"))
@ExtendWith(SecretsStayHidden.class)
class OffsiteDrillHistoryTest {

    static final String LAST_PASSED = "snapshotter_last_drill_success_timestamp_seconds";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectS3
    S3Bucket bucket;

    @InjectQdrant
    SnapshotDir dir;

    @Test
    void theDrillRecordedInTheBucketCounts() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        List<String> planted = drillRecords();
        assertThat(planted).hasSize(1);
        long plantedAt = LocalDateTime.parse(planted.get(0).replaceAll(".*/(.+)-passed\\.json", "$1"),
                DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH-mm-ss-SSS'Z'")).toEpochSecond(ZoneOffset.UTC);

        Thread.sleep(3_000); // a few ticks of the schedule: no drill due
        assertThat(qdrant.requests("POST", "/collections/drill-kairos-")).isEmpty();
        assertThat(Scrape.value(LAST_PASSED)).isEqualTo(plantedAt);

        drill().statusCode(200).body("scratchDropped", equalTo(true));
        List<String> recorded = drillRecords();
        assertThat(recorded).singleElement().asString().endsWith("-passed.json").isNotEqualTo(planted.get(0));
        assertThat(Scrape.value(LAST_PASSED)).isGreaterThan(plantedAt);

        // a store that refuses the record fails nothing: the drill is done, and the directory records it
        bucket.denyWrites();
        try {
            drill().statusCode(200).body("scratchDropped", equalTo(true));
        } finally {
            bucket.allowWrites();
        }
        assertThat(drillRecords()).isEqualTo(recorded);

        // a failed drill is recorded beside the last passed one, which stays
        qdrant.dropFails("drill-kairos-\\d{8}-\\d{6}", 500, "Service internal error: disk I/O error");
        drill().statusCode(502);
        assertThat(drillRecords()).hasSize(2).contains(recorded.get(0)).anyMatch(key -> key.endsWith("-failed.json"));
        // its scratch collection, which Qdrant did not drop, stays recorded there for a new pod to drop
        assertThat(bucket.keys()).filteredOn(key -> key.endsWith("-scratch.json")).singleElement().asString()
                .startsWith("kairos/drills/");
        assertThat(Scrape.value("snapshotter_drill_scratch_left")).isEqualTo(1.0);
        // a directory that knows nothing of it (a new pod's): the bucket's record still counts
        Files.writeString(dir.directory().resolve(".drills.json"), "{}");
        assertThat(Scrape.value("snapshotter_drill_scratch_left")).isEqualTo(1.0);
    }

    private static ValidatableResponse drill() {
        return given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN).contentType("application/json")
                .body("{}").post("/api/drill").then();
    }

    private List<String> drillRecords() {
        return bucket.keys().stream().filter(key -> key.startsWith("kairos/drills/") && !key.endsWith("-scratch.json"))
                .toList();
    }
}
