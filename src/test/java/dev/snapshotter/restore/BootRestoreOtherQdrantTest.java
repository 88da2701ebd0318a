package dev.snapshotter.restore;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The directory records a boot's restore that did not end, into another Qdrant than this one ({@code QDRANT_URL}
 * changed since: the deployment moved). It says nothing of the collection on this Qdrant, which is kept and taken as
 * it is; the stale record goes. Before, the collection was taken for one that restore left unfinished (and, with a
 * backup there, dropped).
 */
@QuarkusTest
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true"), restoreLeftUnfinished = true, unfinishedRestoreQdrant = "http://qdrant-a.invalid:6333")
@ExtendWith(SecretsStayHidden.class)
class BootRestoreOtherQdrantTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void aRecordOfARestoreIntoAnotherQdrantLeavesTheCollectionHereAlone() {
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        assertThat(qdrant.requests("DELETE", "/collections/kairos")).isEmpty();
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).isEmpty();
        assertThat(qdrant.directory().directory().resolve(".boot-restore.json")).doesNotExist();
        // the boot found nothing to do, and says no failure (before: a failed startup run without a message)
        ServiceApi.api().get("/api/runs").then()
                .body("findAll { it.reason == 'startup' }.status", contains("skipped"));
    }
}
