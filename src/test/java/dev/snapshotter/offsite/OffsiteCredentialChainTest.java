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

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Without {@code QDRANT_SNAPSHOT_S3_ACCESS_KEY}, the credential comes from the AWS SDK's default chain (here its
 * system-property source; in a pod the environment, web identity or container credentials). In this JVM only: the
 * packaged app's JVM cannot be given those properties by a test resource.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn
@WithS3(credentialsFromChain = true)
@ExtendWith(SecretsStayHidden.class)
class OffsiteCredentialChainTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectS3
    S3Bucket bucket;

    @Test
    void copiesWithTheDefaultChainsCredential() {
        byte[] body = TestData.snapshot(5000);
        qdrant.snapshotServed("kairos", body);

        JsonPath report = ServiceApi.trigger().then().statusCode(200).extract().jsonPath();

        String file = Path.of(report.getString("targets[0].filePath")).getFileName().toString();
        assertThat(report.getString("targets[0].offsite.status")).isEqualTo("completed");
        assertThat(bucket.get("kairos/" + file)).isEqualTo(body);
    }
}
