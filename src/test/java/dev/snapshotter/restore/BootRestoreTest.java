package dev.snapshotter.restore;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * QDRANT_SNAPSHOT_RESTORE_IF_MISSING with the boot snapshot on: the collection is missing on Qdrant (a lost volume),
 * so the newest verified snapshot is restored first, startup stays DOWN until it is done, its alias comes back, and no
 * snapshot is taken of the restored data.
 */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.on-start", value = "true"),
        @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true") }, missingCollectionRestoredAfterMillis = 2500)
@ExtendWith(SecretsStayHidden.class)
class BootRestoreTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void restoresTheMissingCollectionBeforeStartupGoesUp() {
        // the upload takes 2.5 s: the gate is held meanwhile
        given().get("/q/health/started").then().statusCode(503);
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots?wait=true")).isEmpty();

        Awaitility.await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        given().get("/q/health/started").then()
                .body("checks[0].data.restore", equalTo("completed"))
                .body("checks[0].data.restoreMessage", startsWith("Collection `kairos` was missing on Qdrant; "
                        + "restored `kairos` from "))
                .body("checks[0].data.restoreMessage", containsString("(1234 points, aliases kairos_live); no boot "
                        + "snapshot of the restored data"))
                .body("checks[0].data.status", equalTo("skipped"));
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).hasSize(1);
        assertThat(qdrant.requests("POST", "/collections/aliases")).singleElement()
                .satisfies(r -> assertThat(r.getBodyAsString()).isEqualTo("{\"actions\":[{\"create_alias\":"
                        + "{\"collection_name\":\"kairos\",\"alias_name\":\"kairos_live\"}}]}"));
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots?wait=true")).isEmpty();
    }
}
