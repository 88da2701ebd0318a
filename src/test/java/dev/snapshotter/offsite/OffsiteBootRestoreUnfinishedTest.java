package dev.snapshotter.offsite;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.InjectS3;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.S3Bucket;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A pod without a volume ({@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false}) was replaced during its boot's restore (a
 * rollout, an eviction): Qdrant had created the collection and may hold only part of the backup in it, and the new
 * pod's directory knows nothing of that restore. The bucket does: the collection is dropped and restored again. Before,
 * the new pod found the collection, restored nothing and let the app start on it.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true"), missingCollectionRestoredAfterMillis = 0, restoreLeftUnfinished = true, restoreLeftWithPoints = 1000, plantedOffsitePrefix = OffsiteBootRestoreUnfinishedTest.PREFIX)
@WithS3(prefix = OffsiteBootRestoreUnfinishedTest.PREFIX, config = @ResourceArg(name = "qdrant.snapshot.s3.keep-local", value = "false"))
@ExtendWith(SecretsStayHidden.class)
class OffsiteBootRestoreUnfinishedTest {

    static final String PREFIX = "boot-restore-unfinished";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectS3
    S3Bucket bucket;

    @Test
    void aCollectionLeftByTheRestoreOfAReplacedPodIsDroppedAndRestoredAgain() {
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        given().get("/q/health/started").then()
                .body("checks[0].data.restore", equalTo("completed"))
                .body("checks[0].data.restoreMessage", containsString("; collection `kairos` was left by a boot's "
                        + "restore that did not end (started 2026-12-01T03:00:00Z): Qdrant may hold only part of the "
                        + "backup in it (it is not "))
                .body("checks[0].data.restoreMessage", containsString(" whole: Collection `kairos` has 1000 points "
                        + "after the restore, but the snapshot was taken with 1234), so it was dropped first"));

        assertThat(qdrant.requests("DELETE", "/collections/kairos?")).hasSize(1);
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).hasSize(1);
        assertThat(bucket.keys(bucket.prefix() + "/kairos/boot-restores/")).isEmpty();
        assertThat(qdrant.directory().directory().resolve(".boot-restore.json")).doesNotExist();
    }
}
