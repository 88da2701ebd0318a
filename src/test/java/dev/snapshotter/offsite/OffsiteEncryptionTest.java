package dev.snapshotter.offsite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
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

import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * {@code QDRANT_SNAPSHOT_S3_SSE=aws:kms} with a key of the store's KMS: the snapshot, its checksum file and its
 * manifest are stored encrypted with that key, and read back byte for byte. Needs an S3 server with a KMS whose key
 * {@code S3_KMS_KEY_ID} names (CI's RGW has one).
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_KMS_KEY_ID", matches = ".+")
@WithQdrantStandIn
@WithS3(config = { @ResourceArg(name = "qdrant.snapshot.s3.sse", value = "aws:kms"),
        @ResourceArg(name = "qdrant.snapshot.s3.sse-kms-key-id", value = "${S3_KMS_KEY_ID}") })
@ExtendWith(SecretsStayHidden.class)
class OffsiteEncryptionTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectS3
    S3Bucket bucket;

    @BeforeEach
    void reset() {
        qdrant.reset();
    }

    @Test
    void everyObjectOfTheCopyIsStoredWithTheKmsKeyAsked() {
        // the boot's probe wrote its marker encrypted and found it so
        ServiceApi.awaitReady();
        byte[] body = TestData.snapshot(7 << 20); // two parts of the 5 MiB the tests use
        qdrant.snapshotServed("kairos", body);

        JsonPath report = ServiceApi.trigger().then().statusCode(200).extract().jsonPath();

        assertThat(report.getString("targets[0].offsite.status")).isEqualTo("completed");
        String file = Path.of(report.getString("targets[0].filePath")).getFileName().toString();
        for (String object : new String[] { file, file + ".sha256", file + ".json" }) {
            HeadObjectResponse head = bucket.head("kairos/" + object).orElseThrow();
            assertThat(head.serverSideEncryption()).as(object).isEqualTo(ServerSideEncryption.AWS_KMS);
            assertThat(head.ssekmsKeyId()).as(object).isEqualTo(System.getenv("S3_KMS_KEY_ID"));
        }
        assertThat(TestData.sha256(bucket.get("kairos/" + file))).isEqualTo(TestData.sha256(body));
    }
}
