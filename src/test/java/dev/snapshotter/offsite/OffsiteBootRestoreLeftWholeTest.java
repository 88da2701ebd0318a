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
 * As {@link OffsiteBootRestoreUnfinishedTest}, where Qdrant went on restoring the replaced pod's upload and restored it
 * whole: the collection passes a restore's checks against the backup in the bucket, so it is taken as restored, and the
 * bucket's record of that restore is removed. Before, it was dropped and restored again.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true"), missingCollectionRestoredAfterMillis = 0, restoreLeftUnfinished = true, plantedOffsitePrefix = OffsiteBootRestoreLeftWholeTest.PREFIX)
@WithS3(prefix = OffsiteBootRestoreLeftWholeTest.PREFIX, config = @ResourceArg(name = "qdrant.snapshot.s3.keep-local", value = "false"))
@ExtendWith(SecretsStayHidden.class)
class OffsiteBootRestoreLeftWholeTest {

    static final String PREFIX = "boot-restore-left-whole";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectS3
    S3Bucket bucket;

    @Test
    void aCollectionTheRestoreOfAReplacedPodLeftWholeIsTakenAsRestored() {
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        given().get("/q/health/started").then()
                .body("checks[0].data.restore", equalTo("completed"))
                .body("checks[0].data.restoreMessage", containsString("Collection `kairos` was left by a boot's "
                        + "restore that did not end (started 2026-12-01T03:00:00Z), and holds "))
                .body("checks[0].data.restoreMessage", containsString(" whole (1234 points; aliases kairos_live): "
                        + "taken as restored; no boot snapshot of the restored data"));

        assertThat(qdrant.requests("DELETE", "/collections/kairos?")).isEmpty();
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).isEmpty();
        assertThat(bucket.keys(bucket.prefix() + "/kairos/boot-restores/")).isEmpty();
        assertThat(qdrant.directory().directory().resolve(".boot-restore.json")).doesNotExist();
    }
}
