package dev.snapshotter.offsite;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

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
 * As {@link OffsiteBootRestoreWithoutVolumeTest}, with the bucket refusing connections for the first 6 s (a pod whose
 * network, a service mesh's proxy for one, is not ready as it starts): the restore is refused for it, nothing is
 * done, startup stays DOWN saying so, and the boot tries again, which restores the collection. Before, startup stayed
 * DOWN for good, until a restart.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true"), missingCollectionRestoredAfterMillis = 0, plantedOffsitePrefix = OffsiteBootRestoreBucketLateTest.PREFIX)
@WithS3(prefix = OffsiteBootRestoreBucketLateTest.PREFIX, unreachableForMillis = 6_000, config = @ResourceArg(name = "qdrant.snapshot.s3.keep-local", value = "false"))
@ExtendWith(SecretsStayHidden.class)
class OffsiteBootRestoreBucketLateTest {

    static final String PREFIX = "boot-restore-bucket-late";

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void theBootTriesTheRestoreAgainOnceTheBucketAnswers() {
        Awaitility.await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> given().get("/q/health/started").then()
                .statusCode(503)
                .body("checks[0].data.restoreMessage", startsWith("Startup stays DOWN: collection `kairos` is missing "
                        + "on Qdrant and its restore was refused: "))
                .body("checks[0].data.restoreMessage", containsString("; the boot tries again at "))
                .body("checks[0].data.restore", equalTo("waiting"))
                .body("checks[0].data.nextAttemptAt", notNullValue()));
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).isEmpty();

        Awaitility.await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        given().get("/q/health/started").then().body("checks[0].data.restore", equalTo("completed"));
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).hasSize(1);
    }
}
