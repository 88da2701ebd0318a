package dev.snapshotter.offsite;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The collection does not exist on Qdrant and the directory is empty, but the bucket cannot be listed (it does not
 * exist here): whether backups of it are off-site cannot be told, so this is not taken for a first deployment. The
 * boot snapshot fails saying so, and the fail-closed gate keeps startup DOWN.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.on-start", value = "true"),
        @ResourceArg(name = "qdrant.snapshot.on-start-required", value = "true") }, collectionMissing = true)
@WithS3(bucket = "no-such-bucket-here")
@ExtendWith(SecretsStayHidden.class)
class OffsiteFirstDeploymentUnknownTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void aBucketThatCannotBeListedKeepsStartupDown() {
        Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> given().get("/q/health/started").then()
                .statusCode(503)
                .body("checks[0].data.status", equalTo("failed"))
                .body("checks[0].data.message", containsString("Collection `kairos` does not exist at"))
                .body("checks[0].data.message", containsString("whether backups are off-site could not be told"))
                .body("checks[0].data.message", containsString("NoSuchBucket")));
        assertThat(qdrant.creates()).isEmpty();
    }
}
