package dev.snapshotter.snapshot;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import java.nio.file.Files;
import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A first deployment behind the fail-closed gate, as the docker-compose and Kubernetes examples set it up: Qdrant is
 * new, the collection {@code kairos} does not exist yet (the app beside creates it at its first start), and no backup
 * exists. The boot snapshot has nothing to back up: it is skipped, saying why, and startup goes UP, so the app starts.
 * Before, it failed and was retried for ever, startup stayed DOWN, and the app that would create the collection never
 * started. With {@code QDRANT_SNAPSHOT_RESTORE_IF_MISSING} too (the usual set), there is nothing to restore either,
 * and the boot goes on the same. The schedule's run, due at once with no backup, is skipped too (nothing to alert on); a
 * snapshot asked for through the API still fails, naming the missing collection. Once the app has created the
 * collection, its first backup follows within seconds, not at the schedule's next firing.
 */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.on-start", value = "true"),
        @ResourceArg(name = "qdrant.snapshot.on-start-required", value = "true"),
        @ResourceArg(name = "qdrant.snapshot.schedule", value = "every 1h"),
        @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true") }, collectionMissing = true)
@ExtendWith(SecretsStayHidden.class)
class BootFirstDeploymentTest {

    static final String AWAITING = "snapshotter_awaiting_collection{target=\"qdrant\"}";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @Test
    void theBootSnapshotIsSkippedAndStartupGoesUp() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));

        given().get("/q/health/started").then()
                .body("checks[0].data.status", equalTo("skipped"))
                .body("checks[0].data.message", containsString("Nothing to back up yet (a first deployment: no "
                        + "backup of `kairos` is in " + dir.directory()))
                .body("checks[0].data.message", not(containsString("other collections")))
                .body("checks[0].data.message", containsString("Collection `kairos` does not exist at"))
                .body("checks[0].data.message", containsString("check QDRANT_COLLECTION"));
        given().get("/q/health/ready").then().statusCode(200);
        assertThat(qdrant.creates()).isEmpty();
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).isEmpty();
        assertThat(Scrape.value("snapshotter_runs_total{reason=\"startup\",status=\"skipped\",target=\"qdrant\"}"))
                .isEqualTo(1);
        assertThat(Scrape.value("snapshotter_runs_total{reason=\"startup\",status=\"failed\",target=\"qdrant\"}"))
                .isZero();
        // nothing to back up: the staleness alert stays silent meanwhile
        assertThat(Scrape.value(AWAITING)).isEqualTo(1);
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Scrape.value(
                "snapshotter_runs_total{reason=\"schedule\",status=\"skipped\",target=\"qdrant\"}")).isEqualTo(1));
        assertThat(Scrape.value("snapshotter_runs_total{reason=\"schedule\",status=\"failed\",target=\"qdrant\"}"))
                .isZero();

        // asked for, a snapshot of a collection that does not exist is a failure
        ServiceApi.trigger().then().statusCode(502)
                .body("targets[0].status", equalTo("failed"))
                .body("targets[0].message", containsString("Collection `kairos` does not exist at"))
                .body("targets[0].message", not(containsString("Nothing to back up")));
        assertThat(qdrant.creates()).isEmpty();
        assertThat(dir.list()).noneMatch(file -> file.toString().endsWith(".snap"));

        // the app creates the collection and writes: its first backup follows within seconds, not an interval later
        qdrant.collectionExists("kairos");
        QdrantStandIn.Snapshot first = qdrant.snapshotServed("kairos", TestData.snapshot(3000));
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(Scrape.value(
                "snapshotter_runs_total{reason=\"schedule\",status=\"completed\",target=\"qdrant\"}")).isEqualTo(1));
        assertThat(qdrant.creates()).hasSize(1);
        assertThat(dir.list()).filteredOn(file -> file.toString().endsWith(".snap")).singleElement()
                .satisfies(file -> assertThat(Files.readAllBytes(file)).isEqualTo(first.body()));
        assertThat(Scrape.value("snapshotter_last_success_timestamp_seconds{target=\"qdrant\"}")).isPositive();
        assertThat(Scrape.value(AWAITING)).isZero();
        // one backup, then the schedule's interval: no second one
        Awaitility.await().during(Duration.ofSeconds(7)).atMost(Duration.ofSeconds(8))
                .untilAsserted(() -> assertThat(qdrant.creates()).hasSize(1));
    }
}
