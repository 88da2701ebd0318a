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
import dev.snapshotter.support.Relay;
import dev.snapshotter.support.S3Bucket;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * The object store over https with a certificate of a private CA ({@code QDRANT_SNAPSHOT_S3_CA_CERT_PATH}): copies
 * work; and there, where the body of a request is not signed, a part changed on the way is refused by the server for
 * its SHA-256, and the upload aborted.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn
@WithS3(proxy = WithS3.Proxy.TLS)
@ExtendWith(SecretsStayHidden.class)
class OffsiteTlsTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectS3
    S3Bucket bucket;

    @InjectS3
    Relay proxy;

    @BeforeEach
    void reset() {
        qdrant.reset();
        bucket.empty(bucket.prefix() + "/");
    }

    @Test
    void copiesOverHttpsTrustingThePrivateCa() {
        byte[] body = TestData.snapshot(OffsiteCopyTest.SNAPSHOT_BYTES);
        qdrant.snapshotServed("kairos", body);

        JsonPath report = ServiceApi.trigger().then().statusCode(200).extract().jsonPath();

        String file = Path.of(report.getString("targets[0].filePath")).getFileName().toString();
        assertThat(report.getString("targets[0].offsite.status")).isEqualTo("completed");
        assertThat(TestData.sha256(bucket.get("kairos/" + file))).isEqualTo(TestData.sha256(body));
    }

    @Test
    void aPartThatFailsItsChecksumIsRefusedAndTheUploadAborted() {
        qdrant.snapshotServed("kairos", TestData.snapshot(OffsiteCopyTest.SNAPSHOT_BYTES));
        proxy.flipByteAfter(1 << 20);

        JsonPath failed = ServiceApi.trigger().then().statusCode(502).extract().jsonPath();

        String file = Path.of(failed.getString("targets[0].filePath")).getFileName().toString();
        assertThat(failed.getString("targets[0].stage")).isEqualTo("offsite");
        assertThat(failed.getString("targets[0].message")).contains("Could not upload part", "400 BadDigest",
                "do not match their SHA-256");
        assertThat(bucket.head("kairos/" + file)).isEmpty();
        assertThat(bucket.unfinishedUploads()).isEmpty();
    }
}
