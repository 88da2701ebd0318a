package dev.snapshotter.offsite;

import static org.assertj.core.api.Assertions.assertThat;

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
 * {@code QDRANT_SNAPSHOT_S3_UPLOAD_RATE=4MiB}: a 12 MiB snapshot (three parts of 5 MiB, two at once) takes at least
 * 3 s to copy, whatever the link could do, and arrives whole. Only the lower bound is asserted: a slow machine makes
 * the copy slower, never faster, so this holds on any CI machine, and fails only if the pacing is lost (loopback to the
 * S3 server takes well under a second).
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn
@WithS3(config = @ResourceArg(name = "qdrant.snapshot.s3.upload-rate", value = "4MiB"))
@ExtendWith(SecretsStayHidden.class)
class OffsiteUploadRateTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectS3
    S3Bucket bucket;

    @Test
    void theCopyGoesNoFasterThanTheRate() {
        ServiceApi.awaitReady();
        byte[] body = TestData.snapshot(OffsiteCopyTest.SNAPSHOT_BYTES);
        qdrant.snapshotServed(QdrantStandIn.COLLECTION, body);

        JsonPath report = ServiceApi.trigger().then().statusCode(200).extract().jsonPath();

        assertThat(report.getString("targets[0].offsite.status")).isEqualTo("completed");
        assertThat(report.getLong("targets[0].offsite.bytes")).isEqualTo(body.length);
        assertThat(report.getLong("targets[0].offsite.durationMs")).isGreaterThanOrEqualTo(2_900);
        String key = report.getString("targets[0].offsite.key").substring(bucket.prefix().length() + 1);
        assertThat(TestData.sha256(bucket.get(key))).isEqualTo(TestData.sha256(body));
    }
}
