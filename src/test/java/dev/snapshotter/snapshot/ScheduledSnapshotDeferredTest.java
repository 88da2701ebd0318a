package dev.snapshotter.snapshot;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * A scheduled snapshot whose firing finds a restore drill holding the slot is deferred, not skipped: no snapshot is
 * being taken, so it follows within seconds of the drill's end. Before, the firing was skipped and the next backup
 * came at the next firing, a day later with a daily schedule. Snapshots fire here at :00, :20 and :40 of each minute.
 */
@QuarkusTest
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.schedule", value = "0/20 * * * * ?"), drillable = true)
@ExtendWith(SecretsStayHidden.class)
class ScheduledSnapshotDeferredTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @Test
    void aFiringDuringADrillTakesTheSnapshotOnceTheDrillEnds() throws Exception {
        // 3 s before a firing; the runs of earlier firings are done by then
        Awaitility.await().atMost(Duration.ofSeconds(25)).pollInterval(Duration.ofMillis(100))
                .until(() -> LocalTime.now().getSecond() % 20 == 17);
        double completed = Scrape.value(ScheduledSnapshotsTest.COMPLETED);
        double skipped = Scrape.value(ScheduledSnapshotsTest.SKIPPED);
        Path newest = dir.list().stream().filter(file -> file.toString().endsWith(".snap"))
                .max(Comparator.comparing(file -> file.getFileName().toString())).orElseThrow();
        // a drill whose upload takes 6 s holds the slot across the firing
        qdrant.restoresUploadsTo("drill-kairos-\\d{8}-\\d{6}", QdrantStandIn.POINTS, SnapshotDir.uploadName(newest),
                6_000, QdrantStandIn.SAMPLE_IDS);
        CompletableFuture<Response> drill = CompletableFuture.supplyAsync(() -> given()
                .header("Authorization", "Bearer " + ServiceApi.API_TOKEN).contentType("application/json")
                .body("{\"file\":\"" + newest.getFileName() + "\"}").post("/api/drill"));

        // the drill ends about 3 s after the firing, the next firing 17 s after that: the snapshot comes well before it
        assertThat(drill.get().statusCode()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(12))
                .until(() -> Scrape.value(ScheduledSnapshotsTest.COMPLETED) == completed + 1);
        assertThat(Scrape.value(ScheduledSnapshotsTest.SKIPPED)).isEqualTo(skipped);
    }
}
