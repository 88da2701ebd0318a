package dev.snapshotter.snapshot;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.github.tomakehurst.wiremock.client.WireMock;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.LogCapture;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A wrong QDRANT_API_KEY: Qdrant's bare-text 401 is reported, the key appears nowhere, and readiness says DOWN until
 * Qdrant takes the key.
 */
@QuarkusTest
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.api-key", value = QdrantAuthFailureTest.WRONG_KEY))
@ExtendWith(SecretsStayHidden.class)
class QdrantAuthFailureTest {

    static final String WRONG_KEY = "qk-WRONG-SECRET-5e8a";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @Test
    void reportsQdrants401WithoutRevealingTheKey() {
        qdrant.reset();
        qdrant.snapshotServed("kairos", TestData.snapshot(100));
        String body;
        try (LogCapture logs = LogCapture.install()) {
            body = ServiceApi.trigger().then().statusCode(502)
                    .body("targets[0].message", containsString("Qdrant answered 401"))
                    .body("targets[0].message", containsString("Invalid API key or JWT"))
                    .extract().asString();
            assertThat(logs.lines()).anySatisfy(line -> assertThat(line).startsWith("ERROR").contains("401"));
            // the app's lines: WireMock prints a request it did not match (the boot's, during the reset) with its headers
            assertThat(SecretsStayHidden.appLines(logs)).noneSatisfy(line -> assertThat(line).contains(WRONG_KEY));
        }
        assertThat(body).doesNotContain(WRONG_KEY);
        assertThat(given().get("/q/metrics").asString()).doesNotContain(WRONG_KEY);
        assertThat(given().get("/q/health").asString()).doesNotContain(WRONG_KEY);
        assertThat(qdrant.creates()).isEmpty();
        assertThat(qdrant.requests("GET", "/aliases")).isNotEmpty()
                .allSatisfy(request -> assertThat(request.getHeader("api-key")).isEqualTo(WRONG_KEY));
        assertThat(dir.list()).isEmpty();
    }

    @Test
    void readinessSaysDownWhileQdrantRefusesTheKeyAndRecoversWhenItAcceptsIt() {
        qdrant.reset();
        qdrant.snapshotServed("kairos", TestData.snapshot(100));
        ServiceApi.trigger().then().statusCode(502);

        // no retry heals a refused key: every signal must say so, not only the failed-runs counter
        given().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'last-run' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'last-run' }.data.reason", containsString("credential is refused"))
                .body("checks.find { it.name == 'last-run' }.data.message", containsString("Qdrant answered 401"));
        given().get("/q/health/ready").then().statusCode(503);

        // the operator fixes the key on Qdrant's side: readiness comes back without waiting for a run
        qdrant.server().stubFor(get(urlEqualTo("/aliases")).atPriority(1)
                .withHeader("api-key", WireMock.equalTo(WRONG_KEY))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"result\":{\"aliases\":[]},\"status\":\"ok\",\"time\":0.0001}")));
        qdrant.server().stubFor(get(urlEqualTo("/collections/kairos/exists")).atPriority(1)
                .withHeader("api-key", WireMock.equalTo(WRONG_KEY))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"result\":{\"exists\":true},\"status\":\"ok\",\"time\":0.0001}")));
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'last-run' }.status", equalTo("UP"));
    }
}
