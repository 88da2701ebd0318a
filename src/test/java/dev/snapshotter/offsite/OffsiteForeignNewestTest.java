package dev.snapshotter.offsite;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.store.SnapshotFileName;
import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.InjectS3;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.S3Bucket;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A pod without a volume ({@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false}) whose last backup in the bucket is two hours
 * old, and beside it an object named like a snapshot of ten minutes ago that another tool put there (no SHA-256 of
 * ours, no checksum file: it cannot be verified). That object is no backup: the crash-loop guard
 * ({@code QDRANT_SNAPSHOT_ON_START_MIN_INTERVAL=1h}) does not skip the boot snapshot for it, the off-site gauge never
 * gives its time, and it is left as it is.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.on-start", value = "true"),
        @ResourceArg(name = "qdrant.snapshot.on-start-min-interval", value = "1h") }, plantedSnapshotAge = "PT2H", plantedOffsitePrefix = OffsiteForeignNewestTest.PREFIX)
@WithS3(prefix = OffsiteForeignNewestTest.PREFIX, foreignSnapshotAge = "PT10M", config = @ResourceArg(name = "qdrant.snapshot.s3.keep-local", value = "false"))
@ExtendWith(SecretsStayHidden.class)
class OffsiteForeignNewestTest {

    static final String PREFIX = "offsite-foreign-newest";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectS3
    S3Bucket bucket;

    @Test
    void anObjectThatCannotBeVerifiedIsNoBackup() {
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        given().get("/q/health/started").then().body("checks[0].data.status", equalTo("completed"));
        assertThat(qdrant.creates()).hasSize(1);

        List<String> snapshots = bucket.keys().stream().filter(key -> key.endsWith(".snap")).sorted().toList();
        assertThat(snapshots).hasSize(3);
        List<String> verifiable = snapshots.stream().filter(key -> bucket.keys().contains(key + ".sha256")).toList();
        assertThat(verifiable).hasSize(2);
        String foreign = snapshots.stream().filter(key -> !verifiable.contains(key)).findFirst().orElseThrow();
        String taken = verifiable.get(1);
        Instant takenAt = SnapshotFileName.parse(taken.substring(taken.lastIndexOf('/') + 1)).orElseThrow()
                .createdAt();
        assertThat(takenAt).isAfter(SnapshotFileName.parse(foreign.substring(foreign.lastIndexOf('/') + 1))
                .orElseThrow().createdAt());
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Scrape.value(
                "snapshotter_offsite_last_success_timestamp_seconds")).isEqualTo((double) takenAt.getEpochSecond()));
        assertThat(bucket.head(foreign)).isPresent();
    }
}
