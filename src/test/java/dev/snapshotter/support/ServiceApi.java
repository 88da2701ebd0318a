package dev.snapshotter.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.awaitility.Awaitility;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** The service's own HTTP API as an operator's script calls it, with the token every test app requires. */
public final class ServiceApi {

    /** The bearer token every test app requires on its API (QDRANT_SNAPSHOT_API_TOKEN). */
    public static final String API_TOKEN = "tk-SECRET-7f3a0c21";

    private ServiceApi() {
    }

    /** A request to the API with the token. */
    public static RequestSpecification api() {
        return RestAssured.given().header("Authorization", "Bearer " + API_TOKEN);
    }

    /** A request to the API of a packaged app a test started itself ({@link PackagedApp}), with the token. */
    public static RequestSpecification api(PackagedApp.Running app) {
        return api().baseUri(app.url());
    }

    /** {@code POST /api/snapshot} with the token. */
    public static Response trigger() {
        return api().post("/api/snapshot");
    }

    /** {@code POST /api/snapshot}, answered at once ({@code Prefer: respond-async}). */
    public static Response triggerAsync() {
        return api().header("Prefer", "respond-async").post("/api/snapshot");
    }

    /** {@code POST /api/drill} of the newest snapshot, answered at once ({@code Prefer: respond-async}). */
    public static Response drillAsync() {
        return api().header("Prefer", "respond-async").contentType("application/json").body("{}").post("/api/drill");
    }

    /** {@code POST /api/snapshots/{file}/restore} of this JSON body, answered at once ({@code Prefer: respond-async}). */
    public static Response restoreAsync(String file, String body) {
        return api().header("Prefer", "respond-async").contentType("application/json").body(body)
                .post("/api/snapshots/" + file + "/restore");
    }

    /** {@code GET /api/runs/{id}} once the run is no longer running (polled for at most 20 s). */
    public static JsonPath finishedRun(String id) throws InterruptedException {
        Instant until = Instant.now().plus(Duration.ofSeconds(20));
        while (true) {
            JsonPath run = api().get("/api/runs/" + id).then().statusCode(200).extract().jsonPath();
            if (!"running".equals(run.getString("status")) || Instant.now().isAfter(until)) {
                return run;
            }
            Thread.sleep(100);
        }
    }

    /** Waits at most 30 s until {@code /q/health/ready} answers 200: the boot's off-site probe, among the rest, passed. */
    public static void awaitReady() {
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> RestAssured.get("/q/health/ready").statusCode() == 200);
    }

    /**
     * Waits at most 30 s until {@code /q/health/ready} answers 503 with its {@code offsite} check DOWN, for a reason
     * that holds each of {@code parts}.
     */
    public static void awaitOffsiteDown(String... parts) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonPath health = RestAssured.get("/q/health/ready").then().statusCode(503).extract().jsonPath();
            assertThat(health.getString("checks.find { it.name == 'offsite' }.status")).isEqualTo("DOWN");
            assertThat(health.getString("checks.find { it.name == 'offsite' }.data.reason")).contains(parts);
        });
    }
}
