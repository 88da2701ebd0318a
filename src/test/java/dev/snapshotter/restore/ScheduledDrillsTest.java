package dev.snapshotter.restore;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * QDRANT_SNAPSHOT_DRILL_SCHEDULE=every 1h with no drill on record: one drill runs once the boot has settled, and the
 * next is an hour later, not at every tick.
 */
@QuarkusTest
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.drill-schedule", value = "every 1h"), drillable = true)
@ExtendWith(SecretsStayHidden.class)
class ScheduledDrillsTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void drillsOnceAtOnceWhenNoneIsOnRecord() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given()
                .header("Authorization", "Bearer " + ServiceApi.API_TOKEN).get("/api/snapshots").then()
                .body("[0].drillResult", equalTo("passed")));
        Thread.sleep(2_500); // a few more ticks: no second drill
        assertThat(Scrape.value("snapshotter_drills_total{result=\"passed\"}")).isEqualTo(1);
        assertThat(qdrant.requests("POST", "/collections/drill-kairos-")).filteredOn(r -> r.getUrl()
                .contains("/snapshots/upload")).hasSize(1);
    }
}
