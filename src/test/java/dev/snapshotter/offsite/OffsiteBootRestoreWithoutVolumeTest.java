package dev.snapshotter.offsite;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A pod without a volume ({@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false}) whose collection is missing: the boot fetches
 * the snapshot from the bucket and restores it, with the boot's off-site catch-up (which removes local files confirmed
 * off-site, though never while a restore reads them: {@link OffsiteLocalRemovalTest}) beside it. The fetched file goes
 * at the next run at the latest.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true"), missingCollectionRestoredAfterMillis = 0, plantedOffsitePrefix = OffsiteBootRestoreWithoutVolumeTest.PREFIX)
@WithS3(prefix = OffsiteBootRestoreWithoutVolumeTest.PREFIX, config = @ResourceArg(name = "qdrant.snapshot.s3.keep-local", value = "false"))
@ExtendWith(SecretsStayHidden.class)
class OffsiteBootRestoreWithoutVolumeTest {

    static final String PREFIX = "boot-restore-no-volume";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @Test
    void restoresFromTheBucketAtBootAndKeepsNoLocalCopyAfterTheNextRun() {
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        given().get("/q/health/started").then().body("checks[0].data.restore", equalTo("completed"));
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).hasSize(1);

        qdrant.snapshotServed("kairos", TestData.snapshot(4096));
        ServiceApi.trigger().then().statusCode(200).body("targets[0].offsite.localRemoved", equalTo(true));
        assertThat(dir.list()).noneMatch(file -> file.getFileName().toString().endsWith(".snap"));
    }
}
