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
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A pod without a volume ({@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false}) behind the fail-closed gate, whose Qdrant lost
 * the collection: the directory is empty, but the bucket holds a backup of it. That is no first deployment: the boot
 * snapshot fails naming the backup off-site and how to restore it, and startup stays DOWN, so the app beside does not
 * start writing into an empty collection.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.on-start", value = "true"),
        @ResourceArg(name = "qdrant.snapshot.on-start-required", value = "true") }, collectionMissing = true, plantedSnapshotAge = "PT2H", plantedOffsitePrefix = OffsiteMissingCollectionTest.PREFIX)
@WithS3(prefix = OffsiteMissingCollectionTest.PREFIX, config = @ResourceArg(name = "qdrant.snapshot.s3.keep-local", value = "false"))
@ExtendWith(SecretsStayHidden.class)
class OffsiteMissingCollectionTest {

    static final String PREFIX = "offsite-missing-collection";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @InjectS3
    S3Bucket bucket;

    @Test
    void theBackupOffsiteKeepsStartupDown() throws Exception {
        String offsite = bucket.keys().stream().filter(key -> key.endsWith(".snap")).findFirst().orElseThrow();
        assertThat(dir.list()).noneMatch(file -> file.toString().endsWith(".snap"));

        Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> given().get("/q/health/started").then()
                .statusCode(503)
                .body("checks[0].data.status", equalTo("failed"))
                .body("checks[0].data.message", containsString("Collection `kairos` does not exist at"))
                .body("checks[0].data.message", containsString("Backups exist (the newest: "
                        + offsite.substring(offsite.lastIndexOf('/') + 1) + ")")));
        assertThat(qdrant.creates()).isEmpty();
    }
}
