package dev.snapshotter.offsite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
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
 * A credential that may not write under the prefix (a bucket policy refuses it): the run fails at {@code offsite} with
 * S3's {@code 403 AccessDenied} and our hint naming {@code QDRANT_SNAPSHOT_S3_PREFIX}, the verified local snapshot is
 * kept, and once writes are allowed the next run copies it.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn
@WithS3
@ExtendWith(SecretsStayHidden.class)
class OffsiteAccessDeniedTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectS3
    S3Bucket bucket;

    @AfterEach
    void allow() {
        bucket.allowWrites();
    }

    @Test
    void aPrefixTheCredentialMayNotWriteFailsTheCopyWithTheHintAndKeepsTheSnapshot() {
        // the boot's probe has passed: the refusal meets the run, and readiness stays as other classes of this app expect
        ServiceApi.awaitReady();
        bucket.denyWrites();
        qdrant.snapshotServed("kairos", TestData.snapshot(4096));

        JsonPath refused = ServiceApi.trigger().then().statusCode(502).extract().jsonPath();

        assertThat(refused.getString("targets[0].stage")).isEqualTo("offsite");
        assertThat(refused.getString("targets[0].message")).contains("403 AccessDenied",
                "the credential may not write under the prefix (QDRANT_SNAPSHOT_S3_PREFIX)");
        Path kept = Path.of(refused.getString("targets[0].filePath"));
        assertThat(kept).exists();
        assertThat(bucket.keys(bucket.prefix() + "/")).isEmpty();

        bucket.allowWrites();
        qdrant.snapshotServed("kairos", TestData.snapshot(5000));
        JsonPath next = ServiceApi.trigger().then().statusCode(200).extract().jsonPath();
        assertThat(next.getList("targets[0].offsite.caughtUp", String.class)).contains(kept.getFileName().toString());
        assertThat(bucket.head("kairos/" + kept.getFileName())).isPresent();
    }
}
