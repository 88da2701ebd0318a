package dev.snapshotter.offsite;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
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
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A pod without a volume ({@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false}) restarting in a loop: its directory is empty,
 * and its last backup, 10 minutes old, is in the bucket. That backup counts as the newest verified one: the boot
 * snapshot is skipped under {@code QDRANT_SNAPSHOT_ON_START_MIN_INTERVAL=1h} (the crash-loop guard) and Qdrant is asked
 * for nothing; the last-success gauge is that backup's time and its size, not 0 (which the stale-backup alert reads as
 * "no backup at all"); and a failed run does not move it.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.on-start", value = "true"),
        @ResourceArg(name = "qdrant.snapshot.on-start-min-interval", value = "1h") }, plantedSnapshotAge = "PT10M", plantedOffsitePrefix = OffsiteOnlyBackupTest.PREFIX)
@WithS3(prefix = OffsiteOnlyBackupTest.PREFIX, config = @ResourceArg(name = "qdrant.snapshot.s3.keep-local", value = "false"))
@ExtendWith(SecretsStayHidden.class)
class OffsiteOnlyBackupTest {

    static final String PREFIX = "offsite-only-backup";
    static final String LAST_SUCCESS = "snapshotter_last_success_timestamp_seconds{target=\"qdrant\"}";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @InjectS3
    S3Bucket bucket;

    @Test
    void theBackupInTheBucketIsTheNewestOne() {
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        assertThat(dir.list()).noneMatch(path -> path.getFileName().toString().endsWith(".snap"));
        List<String> offsite = bucket.keys().stream().filter(key -> key.endsWith(".snap")).toList();
        assertThat(offsite).hasSize(1);
        String file = offsite.get(0).substring(offsite.get(0).lastIndexOf('/') + 1);
        Instant takenAt = SnapshotFileName.parse(file).orElseThrow().createdAt();

        given().get("/q/health/started").then()
                .body("checks[0].data.status", equalTo("skipped"))
                .body("checks[0].data.message", containsString(file))
                .body("checks[0].data.message", containsString("off-site"))
                .body("checks[0].data.message", containsString("QDRANT_SNAPSHOT_ON_START_MIN_INTERVAL=1h"));
        assertThat(qdrant.creates()).isEmpty();
        assertThat(Scrape.value(LAST_SUCCESS)).isEqualTo((double) takenAt.getEpochSecond());
        assertThat(Scrape.value("snapshotter_size_bytes{target=\"qdrant\"}")).isEqualTo(TestData.snapshot(2048).length);

        qdrant.createFails("kairos", 500, "Service internal error: no space left on device");
        ServiceApi.trigger().then().statusCode(502);
        assertThat(Scrape.value(LAST_SUCCESS)).isEqualTo((double) takenAt.getEpochSecond());
    }
}
