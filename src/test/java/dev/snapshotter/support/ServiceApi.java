package dev.snapshotter.support;

import io.restassured.RestAssured;
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

    /** {@code POST /api/snapshot} with the token. */
    public static Response trigger() {
        return api().post("/api/snapshot");
    }
}
