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
 * A store that takes {@code QDRANT_SNAPSHOT_S3_SSE} and stores the object without saying it encrypted it (some
 * S3-compatible stores ignore the header): readiness is DOWN from the boot's probe, and a run fails at
 * {@code offsite}, removes the object it completed and keeps the verified local snapshot, so an object stored other
 * than as asked never counts as a copy.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_KMS_KEY_ID", matches = ".+")
@WithQdrantStandIn
@WithS3(answersWithoutEncryption = true, config = { @ResourceArg(name = "qdrant.snapshot.s3.sse", value = "aws:kms"),
        @ResourceArg(name = "qdrant.snapshot.s3.sse-kms-key-id", value = "${S3_KMS_KEY_ID}") })
@ExtendWith(SecretsStayHidden.class)
class OffsiteEncryptionIgnoredTest {

    static final String SENTENCE = "without server-side encryption, not with the aws:kms that QDRANT_SNAPSHOT_S3_SSE "
            + "asks for: the store does not apply it";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectS3
    S3Bucket bucket;

    @Test
    void readinessIsDownWithTheReason() {
        ServiceApi.awaitOffsiteDown("s3://" + bucket.bucket() + "/" + bucket.prefix() + "/", SENTENCE);
    }

    @Test
    void aRunFailsAtTheOffsiteStageRemovesTheObjectAndKeepsTheSnapshot() {
        qdrant.snapshotServed("kairos", TestData.snapshot(4096));

        JsonPath report = ServiceApi.trigger().then().statusCode(502).extract().jsonPath();

        assertThat(report.getString("targets[0].stage")).isEqualTo("offsite");
        String file = Path.of(report.getString("targets[0].filePath")).getFileName().toString();
        assertThat(report.getString("targets[0].message")).contains(
                "s3://" + bucket.bucket() + "/" + bucket.prefix() + "/kairos/" + file + " " + SENTENCE,
                "the object was removed");
        assertThat(Path.of(report.getString("targets[0].filePath"))).exists();
        assertThat(bucket.head("kairos/" + file)).isEmpty();
    }
}
