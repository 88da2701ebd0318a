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

import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.LogCapture;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * QDRANT_SNAPSHOT_RESTORE_IF_MISSING after a boot whose restore did not end, where Qdrant went on restoring the upload
 * and restored it whole (the upload outlasted QDRANT_SNAPSHOT_TIMEOUT, or the process was stopped once Qdrant had it):
 * the collection passes the checks a restore runs after its upload, so it is taken as restored, its alias pointed and
 * the copy of the upload deleted. Before, it was dropped and restored again whatever it held: with a collection whose
 * restore takes longer than the timeout, at every boot, so the app beside it never started.
 */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.on-start", value = "true"),
        @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true") }, missingCollectionRestoredAfterMillis = 0, restoreLeftUnfinished = true)
@ExtendWith(SecretsStayHidden.class)
class BootRestoreLeftWholeTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    LogCapture log;

    @Test
    void aCollectionARestoreThatDidNotEndLeftWholeIsTakenAsRestoredNotDroppedAndRestoredAgain() {
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        given().get("/q/health/started").then()
                .body("checks[0].data.restore", equalTo("completed"))
                .body("checks[0].data.restoreMessage", startsWith("Collection `kairos` was left by a boot's restore "
                        + "that did not end (started 2026-12-01T03:00:00Z), and holds "))
                .body("checks[0].data.restoreMessage", containsString(" whole (1234 points; aliases "
                        + "kairos_live): taken as restored; no boot snapshot of the restored data"))
                .body("checks[0].data.status", equalTo("skipped"));

        assertThat(qdrant.requests("DELETE", "/collections/kairos?")).isEmpty();
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).isEmpty();
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots?wait=true")).isEmpty();
        assertThat(qdrant.requests("POST", "/collections/aliases")).singleElement()
                .satisfies(r -> assertThat(r.getBodyAsString()).isEqualTo("{\"actions\":[{\"create_alias\":"
                        + "{\"collection_name\":\"kairos\",\"alias_name\":\"kairos_live\"}}]}"));
        assertThat(qdrant.requests("DELETE", "/collections/kairos/snapshots/").stream().map(LoggedRequest::getUrl))
                .singleElement().satisfies(url -> assertThat(url).startsWith("/collections/kairos/snapshots/restore-"));
        assertThat(qdrant.directory().directory().resolve(".boot-restore.json")).doesNotExist();
        assertThat(Scrape.value("snapshotter_restores_total{result=\"completed\"}")).isEqualTo(1.0);
        assertThat(log.appLines()).anySatisfy(line -> assertThat(line).contains("WARN").contains(
                "Collection `kairos` was left by a boot's restore that did not end (started 2026-12-01T03:00:00Z), and "
                        + "holds ")
                .contains("taken as restored, not restored again"));
    }
}
