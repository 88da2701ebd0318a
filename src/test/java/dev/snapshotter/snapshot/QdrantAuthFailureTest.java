package dev.snapshotter.snapshot;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.LogCapture;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.QdrantStandInResource;
import dev.snapshotter.support.SecretsStayHidden;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** A wrong QDRANT_API_KEY: Qdrant's bare-text 401 is reported, and the key appears nowhere. */
@QuarkusTest
@WithTestResource(value = QdrantStandInResource.class, initArgs = @ResourceArg(name = "qdrant.api-key", value = QdrantAuthFailureTest.WRONG_KEY))
@ExtendWith(SecretsStayHidden.class)
class QdrantAuthFailureTest {

    static final String WRONG_KEY = "qk-WRONG-SECRET-5e8a";

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void reportsQdrants401WithoutRevealingTheKey() {
        qdrant.reset();
        qdrant.snapshotServed("kairos", QdrantStandIn.randomBytes(100));
        String body;
        try (LogCapture logs = LogCapture.install()) {
            body = QdrantStandIn.trigger().then().statusCode(502)
                    .body("targets[0].message", containsString("Qdrant answered 401"))
                    .body("targets[0].message", containsString("Invalid API key or JWT"))
                    .extract().asString();
            assertThat(logs.lines()).anySatisfy(line -> assertThat(line).startsWith("ERROR").contains("401"));
            assertThat(logs.lines()).noneSatisfy(line -> assertThat(line).contains(WRONG_KEY));
        }
        assertThat(body).doesNotContain(WRONG_KEY);
        assertThat(given().get("/q/metrics").asString()).doesNotContain(WRONG_KEY);
        assertThat(given().get("/q/health").asString()).doesNotContain(WRONG_KEY);
        assertThat(qdrant.creates()).isEmpty();
        assertThat(qdrant.requests("GET", "/aliases")).singleElement()
                .satisfies(request -> assertThat(request.getHeader("api-key")).isEqualTo(WRONG_KEY));
        assertThat(qdrant.files()).isEmpty();
    }
}
