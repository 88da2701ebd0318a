package dev.snapshotter.offsite;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.LogCapture;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/** A wrong secret key: refused with S3's code and our hint, readiness DOWN, and the secret never shown. */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn
@WithS3(secretKey = OffsiteCredentialTest.WRONG)
@ExtendWith(SecretsStayHidden.class)
class OffsiteCredentialTest {

    static final String WRONG = "wrong-s3-SECRET-9d2f";

    @Test
    void aWrongSecretIsRefusedAndNeverShown() {
        String body;
        String health;
        try (LogCapture logs = LogCapture.install()) {
            body = ServiceApi.trigger().then().statusCode(502).extract().asString();
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> RestAssured.get("/q/health/ready").statusCode() == 503);
            health = RestAssured.get("/q/health/ready").asString();
            assertThat(SecretsStayHidden.appLines(logs)).noneMatch(line -> line.contains(WRONG));
        }
        assertThat(body).contains("\"stage\":\"offsite\"", "403 SignatureDoesNotMatch",
                "QDRANT_SNAPSHOT_S3_SECRET_KEY");
        assertThat(health).contains("SignatureDoesNotMatch");
        assertThat(body + health + RestAssured.get("/q/metrics").asString()).doesNotContain(WRONG);
    }
}
