package dev.snapshotter.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * The OpenAPI document the packaged service (and the native executable, when one is built) serves at
 * {@code /q/openapi} is the one checked in as {@code docs/openapi.yaml}: a change of the API that is not reflected there
 * fails the build. On a difference the served document is written to {@code target/openapi.yaml}; copy it over the
 * checked-in one after reviewing the change. Only here: the {@code @QuarkusTest} apps do not scan for it
 * ({@code application.properties}).
 */
@QuarkusIntegrationTest
@WithQdrantStandIn
class OpenApiDocumentIT {

    @Test
    void theServedDocumentIsTheCheckedInOne() throws Exception {
        String served = given().header("Accept", "application/yaml").get("/q/openapi").then().statusCode(200)
                .extract().asString();
        Path checkedIn = Path.of("docs", "openapi.yaml");
        String expected = Files.exists(checkedIn) ? Files.readString(checkedIn, StandardCharsets.UTF_8) : "";
        if (!served.equals(expected)) {
            Files.writeString(Path.of("target", "openapi.yaml"), served, StandardCharsets.UTF_8);
        }
        assertThat(served).as("/q/openapi against docs/openapi.yaml (the served one is in target/openapi.yaml)")
                .isEqualTo(expected);
        assertThat(served).contains("/api/snapshot:", "/api/runs/{id}:", "/api/snapshots/{file}/restore:",
                "scheme: bearer", "SnapshotReport", "RunView", "Problem");
    }
}
