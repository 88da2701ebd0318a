package dev.snapshotter.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.QdrantStandInResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** QDRANT_SNAPSHOT_API_TOKEN set: the trigger needs the bearer token. */
@QuarkusTest
@WithTestResource(value = QdrantStandInResource.class, initArgs = @ResourceArg(name = "qdrant.snapshot.api-token", value = ApiTokenTest.TOKEN))
class ApiTokenTest {

    static final String TOKEN = "tok-SECRET-91c2e";

    @InjectQdrant
    QdrantStandIn qdrant;

    @BeforeEach
    void resetQdrant() {
        qdrant.reset();
        qdrant.snapshotServed("kairos", QdrantStandIn.randomBytes(512));
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
        given().header("Authorization", "Bearer tok-SECRET-91c2f").post("/api/snapshot").then().statusCode(401)
                .body("detail", not(containsString("tok-SECRET")));
        given().header("Authorization", TOKEN).post("/api/snapshot").then().statusCode(401);
        assertThat(qdrant.creates()).isEmpty();
    }

    @Test
    void runsTriggerWithToken() {
        given().header("Authorization", "Bearer " + TOKEN).post("/api/snapshot").then().statusCode(200)
                .body("status", equalTo("completed"));
        assertThat(qdrant.creates()).hasSize(1);
    }
}
