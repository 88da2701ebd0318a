package dev.snapshotter.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.junit.QuarkusTest;

/** QDRANT_SNAPSHOT_API_TOKEN set (as in every test app): the trigger needs the bearer token. */
@QuarkusTest
@WithQdrantStandIn
@ExtendWith(SecretsStayHidden.class)
class ApiTokenTest {

    static final String TOKEN = ServiceApi.API_TOKEN;

    @InjectQdrant
    QdrantStandIn qdrant;

    @BeforeEach
    void resetQdrant() {
        qdrant.reset();
        qdrant.snapshotServed("kairos", TestData.snapshot(512));
    }

    @Test
    void refusesTriggerWithoutToken() {
        given().post("/api/snapshot").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", "Bearer")
                .body("status", equalTo(401));
        assertThat(qdrant.creates()).isEmpty();
    }

    @Test
    void refusesTriggerWithWrongToken() {
        given().header("Authorization", "Bearer " + TOKEN + "x").post("/api/snapshot").then().statusCode(401)
                .body("detail", not(containsString(QdrantStandIn.SECRET_MARKER)));
        given().header("Authorization", TOKEN).post("/api/snapshot").then().statusCode(401);
        assertThat(qdrant.creates()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = { "bearer ", "BEARER ", "bEaReR ", "Bearer   " })
    void acceptsTheBearerSchemeInAnyCase(String scheme) {
        given().header("Authorization", scheme + TOKEN).post("/api/snapshot").then().statusCode(200)
                .body("status", equalTo("completed"));
        assertThat(qdrant.creates()).hasSize(1);
    }

    @Test
    void runsTriggerWithToken() {
        given().header("Authorization", "Bearer " + TOKEN).post("/api/snapshot").then().statusCode(200)
                .body("status", equalTo("completed"));
        assertThat(qdrant.creates()).hasSize(1);
    }
}
