package dev.snapshotter.snapshot;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * What Prometheus scrapes from the packaged app after a completed and a failed run, saved to {@code target/metrics/}
 * for {@code promtool check metrics} (run by {@code .ci/run}): in the format Prometheus negotiates with the Accept
 * header it sends, and in OpenMetrics when asked for it alone.
 */
@QuarkusIntegrationTest
@WithQdrantStandIn
class MetricsExpositionIT {

    /** The Accept header Prometheus 2.x sends on every scrape. */
    static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0,"
            + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void servesTheSeriesPrometheusScrapes() throws Exception {
        qdrant.reset();
        qdrant.snapshotServed("kairos", TestData.snapshot(10_000));
        ServiceApi.trigger().then().statusCode(200);
        qdrant.createFails("kairos", 500, "Service internal error: boom");
        ServiceApi.trigger().then().statusCode(502);

        var negotiated = given().header("Accept", PROMETHEUS_ACCEPT).get("/q/metrics").then().statusCode(200)
                .extract();
        String text = negotiated.asString();
        assertThat(text).contains("snapshotter_runs_total{", "snapshotter_duration_seconds_count{",
                "snapshotter_last_success_timestamp_seconds{", "snapshotter_pruned_total{",
                "snapshotter_verifications_total{", "snapshotter_next_scheduled_run_timestamp_seconds{");
        assertThat(text).containsPattern("(?m)^snapshotter_directory_free_bytes [1-9][0-9.E]*$");
        assertThat(text).containsPattern("(?m)^snapshotter_snapshots_failing_verification 0\\.0$")
                .containsPattern("(?m)^snapshotter_snapshots_unlisted 0\\.0$")
                .containsPattern("(?m)^snapshotter_last_integrity_check_timestamp_seconds 0\\.0$");
        save("prometheus-negotiated.txt", text);
        assertThat(negotiated.header("Content-Type")).as("what promtool then checks").startsWith("text/plain");
    }

    private static void save(String name, String scrape) throws Exception {
        Path directory = Files.createDirectories(Path.of("target", "metrics"));
        Files.writeString(directory.resolve(name), scrape, StandardCharsets.UTF_8);
    }
}
