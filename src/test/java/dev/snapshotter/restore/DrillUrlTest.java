package dev.snapshotter.restore;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.DrillQdrantResource;
import dev.snapshotter.support.InjectDrillQdrant;
import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** QDRANT_DRILL_URL: the drill restores into the throwaway Qdrant; the production one serves only the snapshot. */
@QuarkusTest
@WithQdrantStandIn
@WithTestResource(DrillQdrantResource.class)
@ExtendWith(SecretsStayHidden.class)
class DrillUrlTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectDrillQdrant
    QdrantStandIn throwaway;

    @BeforeEach
    void reset() {
        qdrant.reset();
        throwaway.reset();
    }

    @Test
    void drillsOnTheThrowawayQdrant() {
        qdrant.snapshotServed("kairos", TestData.snapshot(10_000));
        Path file = Path.of(ServiceApi.trigger().then().statusCode(200).extract().<String> path("targets[0].filePath"));
        throwaway.restoresUploadsTo(DrillTest.SCRATCH, QdrantStandIn.POINTS, SnapshotDir.uploadName(file), 0,
                QdrantStandIn.SAMPLE_IDS);

        given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN).contentType("application/json").body("{}")
                .post("/api/drill").then().statusCode(200).body("scratchDropped", equalTo(true));

        assertThat(throwaway.requests("POST", "/collections/drill-kairos-")).filteredOn(r -> r.getUrl()
                .contains("/snapshots/upload")).hasSize(1);
        assertThat(qdrant.requests("POST", "/collections/drill-kairos-")).isEmpty();
        assertThat(qdrant.requests("GET", "/collections/drill-kairos-")).isEmpty();
    }
}
