package dev.snapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.store.SnapshotFileName;
import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.junit.QuarkusTest;

/** The Prometheus series operators alert on, after a success and after a failure. */
@QuarkusTest
@WithQdrantStandIn
@ExtendWith(SecretsStayHidden.class)
class SnapshotMetricsTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @BeforeEach
    void resetQdrant() {
        qdrant.reset();
    }

    @Test
    void countsSuccessAndFailureAndTracksLastSuccess() {
        String before = metrics();
        double completed = value(before, "snapshotter_runs_total{reason=\"api\",status=\"completed\",target=\"qdrant\"}");
        double failed = value(before, "snapshotter_runs_total{reason=\"api\",status=\"failed\",target=\"qdrant\"}");
        assertThat(value(before, "snapshotter_in_progress{target=\"qdrant\"}")).isZero();

        // Qdrant takes over a second: the run completes in a later second than the one it started in
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", TestData.snapshot(12_345));
        qdrant.createSlow(snapshot, 1_200);
        String filePath = ServiceApi.trigger().then().statusCode(200).extract().path("targets[0].filePath");
        long completedAt = Instant.now().getEpochSecond();
        String afterSuccess = metrics();
        assertThat(value(afterSuccess, "snapshotter_runs_total{reason=\"api\",status=\"completed\",target=\"qdrant\"}"))
                .isEqualTo(completed + 1);
        assertThat(value(afterSuccess, "snapshotter_size_bytes{target=\"qdrant\"}")).isEqualTo(snapshot.body().length);
        double lastSuccess = value(afterSuccess, "snapshotter_last_success_timestamp_seconds{target=\"qdrant\"}");
        // the moment the newest snapshot was taken (its file's name), the same whether a run just completed or found
        // it on disk; not the moment the run completed. (The stand-in names Qdrant's snapshot when it is stubbed,
        // before the run starts, so that name's second may be an earlier one.)
        String fileName = Path.of(filePath).getFileName().toString();
        assertThat(lastSuccess).isEqualTo(SnapshotFileName.parse(fileName).orElseThrow().createdAt().getEpochSecond())
                .isLessThan(completedAt);
        assertThat(value(afterSuccess,
                "snapshotter_duration_seconds_count{reason=\"api\",status=\"completed\",target=\"qdrant\"}"))
                .isGreaterThanOrEqualTo(1);

        qdrant.createFails("kairos", 500, "Service internal error: boom");
        ServiceApi.trigger().then().statusCode(502);
        String afterFailure = metrics();
        assertThat(value(afterFailure, "snapshotter_runs_total{reason=\"api\",status=\"failed\",target=\"qdrant\"}"))
                .isEqualTo(failed + 1);
        assertThat(value(afterFailure, "snapshotter_last_success_timestamp_seconds{target=\"qdrant\"}"))
                .isEqualTo(lastSuccess);
        assertThat(value(afterFailure, "snapshotter_size_bytes{target=\"qdrant\"}")).isEqualTo(snapshot.body().length);
        assertThat(
                value(afterFailure, "snapshotter_duration_seconds_count{reason=\"api\",status=\"failed\",target=\"qdrant\"}"))
                .isGreaterThanOrEqualTo(1);
        assertThat(value(afterFailure, "snapshotter_in_progress{target=\"qdrant\"}")).isZero();
        assertThat(value(afterFailure, "snapshotter_runs_total{reason=\"startup\",status=\"completed\",target=\"qdrant\"}"))
                .isZero();
    }

    private static String metrics() {
        return Scrape.metrics();
    }

    private static double value(String metrics, String series) {
        return Scrape.value(metrics, series);
    }
}
