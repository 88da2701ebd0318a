package dev.snapshotter.offsite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.InjectS3;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.S3Bucket;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * {@code QDRANT_SNAPSHOT_S3_LOCK_MODE} set for a bucket without S3 Object Lock: readiness is DOWN from the boot's
 * probe, naming what to turn on, and a run fails at {@code offsite} with S3's answer, keeping its verified snapshot
 * and writing nothing unlocked.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn
@WithS3(config = { @ResourceArg(name = "qdrant.snapshot.s3.lock-mode", value = "COMPLIANCE"),
        @ResourceArg(name = "qdrant.snapshot.s3.lock-for", value = "30d") })
@ExtendWith(SecretsStayHidden.class)
class OffsiteObjectLockMissingTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectS3
    S3Bucket bucket;

    @Test
    void readinessIsDownNamingWhatToTurnOn() {
        ServiceApi.awaitOffsiteDown(
                "s3://" + bucket.bucket() + "/", "the bucket has no Object Lock, which QDRANT_SNAPSHOT_S3_LOCK_MODE "
                        + "needs: turn it on for the bucket (S3 requires versioning)");
    }

    @Test
    void aRunFailsAtTheOffsiteStageAndKeepsTheSnapshot() {
        qdrant.snapshotServed("kairos", TestData.snapshot(4096));

        JsonPath report = ServiceApi.trigger().then().statusCode(502).extract().jsonPath();

        assertThat(report.getString("targets[0].stage")).isEqualTo("offsite");
        assertThat(report.getString("targets[0].message")).contains("S3 answered 400 InvalidRequest; a bucket without "
                + "Object Lock refuses the locked objects QDRANT_SNAPSHOT_S3_LOCK_MODE asks for", "is kept");
        assertThat(Path.of(report.getString("targets[0].filePath"))).exists();
        assertThat(bucket.keys(bucket.prefix() + "/")).isEmpty();
    }
}
