package dev.snapshotter.restore;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@link BootRestoreWrongCountTest} with the right count, but a point the manifest sampled at snapshot time missing
 * after the restore: other points than the backup's, so the collection the restore created is dropped again too.
 */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.on-start", value = "true"),
        @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true") }, missingCollectionRestoredAfterMillis = 0, restoredSampleIds = "[1,2]")
@ExtendWith(SecretsStayHidden.class)
class BootRestoreSampleMissingTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void aRestoreMissingASampledPointKeepsStartupDownAndDropsTheCollectionItCreated() {
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/q/health/started").then()
                .statusCode(503).body("checks[0].data.restore", equalTo("failed")));

        given().get("/q/health/started").then().statusCode(503)
                .body("checks[0].data.restoreMessage", containsString("1 of the 3 points whose ids were recorded at "
                        + "snapshot time are missing after the restore"))
                .body("checks[0].data.restoreMessage", containsString("; collection `kairos`, which this restore "
                        + "created, is dropped again, so the next boot restores it again rather than start the app on "
                        + "it"));
        assertThat(qdrant.requests("DELETE", "/collections/kairos")).extracting(LoggedRequest::getUrl)
                .contains("/collections/kairos?wait=true");
    }
}
