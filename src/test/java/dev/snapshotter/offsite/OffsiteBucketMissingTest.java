package dev.snapshotter.offsite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** A bucket that does not exist: readiness says so from boot, and a run fails at {@code offsite} keeping its file. */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn
@WithS3(bucket = "no-such-bucket-here")
@ExtendWith(SecretsStayHidden.class)
class OffsiteBucketMissingTest {

    @Test
    void readinessIsDownWithTheReason() {
        ServiceApi.awaitOffsiteDown("s3://no-such-bucket-here/", "404 NoSuchBucket", "QDRANT_SNAPSHOT_S3_BUCKET");
    }

    @Test
    void aRunFailsAtTheOffsiteStageAndKeepsItsVerifiedFile() {
        JsonPath report = ServiceApi.trigger().then().statusCode(502).extract().jsonPath();

        assertThat(report.getString("targets[0].stage")).isEqualTo("offsite");
        assertThat(report.getString("targets[0].offsite.bucket")).isEqualTo("no-such-bucket-here");
        assertThat(report.getString("targets[0].message")).contains("NoSuchBucket",
                "create the bucket, or correct QDRANT_SNAPSHOT_S3_BUCKET");
        assertThat(Files.exists(Path.of(report.getString("targets[0].filePath")))).isTrue();
    }
}
