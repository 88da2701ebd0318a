package dev.snapshotter.offsite;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

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
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * {@code QdrantDownBeforeFirstRunTest} in a pod without a volume whose {@code QDRANT_COLLECTION} is an alias
 * ({@code kairos_live} pointing at {@code kairos}): the only backup, 50 minutes old, is in the bucket under the real
 * collection's folder, its manifest naming the alias. While Qdrant cannot be reached (for the first 25 s), the
 * schedule counts from that backup (the next run due in 10 minutes, no run bound to fail) and the retention preview
 * answers for {@code kairos} from the bucket, not 502.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.schedule", value = "every 1h"), configuredAlias = "kairos_live", plantedSnapshotAge = "PT50M", plantedOffsitePrefix = OffsiteAliasQdrantDownTest.PREFIX, startsAfterMillis = 25_000)
@WithS3(prefix = OffsiteAliasQdrantDownTest.PREFIX, config = @ResourceArg(name = "qdrant.snapshot.s3.keep-local", value = "false"))
@ExtendWith(SecretsStayHidden.class)
class OffsiteAliasQdrantDownTest {

    static final String PREFIX = "alias-qdrant-down";
    static final String NEXT = "snapshotter_next_scheduled_run_timestamp_seconds{target=\"qdrant\"}";
    static final String FAILED = "snapshotter_runs_total{reason=\"schedule\",status=\"failed\",target=\"qdrant\"}";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectS3
    S3Bucket bucket;

    @Test
    void theBucketSaysWhatQdrantCannot() {
        assertThat(bucket.keys()).anyMatch(key -> key.startsWith("kairos/") && key.endsWith(".snap"))
                .noneMatch(key -> key.startsWith("kairos_live/"));
        long inTenMinutes = Instant.now().plus(Duration.ofMinutes(10)).getEpochSecond();
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                Scrape.value(NEXT)).isBetween(inTenMinutes - 60.0, inTenMinutes + 5.0));
        assertThat(Scrape.value(FAILED)).isZero();

        JsonPath preview = ServiceApi.api().get("/api/retention").then().statusCode(200).extract().jsonPath();
        assertThat(preview.getString("collection")).isEqualTo(QdrantStandIn.COLLECTION);
        assertThat(qdrant.server().isRunning()).as("Qdrant is still down").isFalse();
    }
}
