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
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A pod without a volume: the collection is missing on Qdrant and its only snapshot is in the bucket. With {@code
 * QDRANT_SNAPSHOT_RESTORE_IF_MISSING}, the boot fetches it (verified) and restores it before startup goes UP.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.on-start", value = "true"),
        @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true") }, missingCollectionRestoredAfterMillis = 0, plantedOffsitePrefix = OffsiteBootRestoreTest.PREFIX)
@WithS3(prefix = OffsiteBootRestoreTest.PREFIX)
@ExtendWith(SecretsStayHidden.class)
class OffsiteBootRestoreTest {

    static final String PREFIX = "boot-restore";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @Test
    void fetchesTheSnapshotFromTheBucketAndRestoresItBeforeStartupGoesUp() {
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        given().get("/q/health/started").then()
                .body("checks[0].data.restore", equalTo("completed"))
                .body("checks[0].data.restoreMessage", containsString("(1234 points, aliases kairos_live)"));
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).hasSize(1);
        assertThat(dir.list()).anyMatch(file -> file.getFileName().toString().endsWith("-kairos.snap"))
                .anyMatch(file -> file.getFileName().toString().endsWith("-kairos.snap.json"));
    }
}
