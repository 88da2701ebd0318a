package dev.snapshotter.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.PackagedApp;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.StandInPerTest;
import dev.snapshotter.support.TestData;

import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/** The packaged app restarted on the same directory: {@code GET /api/runs} still lists the runs of before, newest first. */
@ExtendWith(StandInPerTest.class)
class RunHistoryIT {

    @InjectQdrant
    QdrantStandIn qdrant;

    private static RequestSpecification api(PackagedApp.Running app) {
        return given().baseUri(app.url()).header("Authorization", "Bearer " + ServiceApi.API_TOKEN);
    }

    @Test
    void theRunsOfBeforeARestartAreStillListed() throws Exception {
        List<String> before;
        try (PackagedApp.Running first = PackagedApp.start(qdrant.appEnvironment())) {
            first.awaitStarted();
            qdrant.snapshotServed("kairos", TestData.snapshot(4096));
            api(first).post("/api/snapshot").then().statusCode(200);
            qdrant.createFails("kairos", 500, "Service internal error: boom");
            api(first).post("/api/snapshot").then().statusCode(502);
            before = api(first).get("/api/runs").then().statusCode(200).extract().jsonPath().getList("id");
            assertThat(before).hasSize(2);
        }

        try (PackagedApp.Running second = PackagedApp.start(qdrant.appEnvironment())) {
            second.awaitStarted();
            JsonPath runs = api(second).get("/api/runs").then().statusCode(200).extract().jsonPath();
            assertThat(runs.getList("id", String.class)).containsExactlyElementsOf(before);
            assertThat(runs.getList("status", String.class)).containsExactly("failed", "completed");
            assertThat(runs.getString("[0].report.targets[0].message")).contains("boom");
            api(second).get("/api/runs/" + before.get(1)).then().statusCode(200);
        }
    }
}
