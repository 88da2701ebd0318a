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
 * {@code QDRANT_SNAPSHOT_S3_SSE_KMS_KEY_ID} names a key the store's KMS does not have: S3 refuses every write, so
 * readiness is DOWN from the boot's probe with S3's answer, and a run fails at {@code offsite} with it, keeping the
 * verified local snapshot and leaving nothing in the bucket.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_KMS_KEY_ID", matches = ".+")
@WithQdrantStandIn
@WithS3(config = { @ResourceArg(name = "qdrant.snapshot.s3.sse", value = "aws:kms"),
        @ResourceArg(name = "qdrant.snapshot.s3.sse-kms-key-id", value = "no-such-key") })
@ExtendWith(SecretsStayHidden.class)
class OffsiteKmsKeyUnknownTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectS3
    S3Bucket bucket;

    @Test
    void readinessIsDownWithTheStoresAnswer() {
        ServiceApi.awaitOffsiteDown("Could not write the probe marker", "S3 answered 400", "the store cannot encrypt as "
                + "QDRANT_SNAPSHOT_S3_SSE asks (with the KMS key no-such-key: check "
                + "QDRANT_SNAPSHOT_S3_SSE_KMS_KEY_ID)");
    }

    @Test
    void aRunFailsAtTheOffsiteStageWithTheStoresAnswerAndKeepsTheSnapshot() {
        qdrant.snapshotServed("kairos", TestData.snapshot(4096));

        JsonPath report = ServiceApi.trigger().then().statusCode(502).extract().jsonPath();

        assertThat(report.getString("targets[0].stage")).isEqualTo("offsite");
        assertThat(report.getString("targets[0].message")).contains("S3 answered 400",
                "check QDRANT_SNAPSHOT_S3_SSE_KMS_KEY_ID", "The verified local snapshot", "is kept");
        assertThat(Path.of(report.getString("targets[0].filePath"))).exists();
        assertThat(bucket.keys(bucket.prefix() + "/")).isEmpty();
    }
}
