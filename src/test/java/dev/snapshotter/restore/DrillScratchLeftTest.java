package dev.snapshotter.restore;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.LogCapture;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Drills of an earlier process left their scratch collections on Qdrant (it stopped during them, or their drop failed),
 * each a whole copy of the collection. They are dropped once the boot has settled, with no drill asked for and no drill
 * schedule: before, they stayed until the next drill, days away with a weekly one. One whose drop fails stays recorded
 * (tried again later, and by the next drill); one recorded on another Qdrant ({@code QDRANT_DRILL_URL} changed since)
 * is not touched there, and is forgotten with a WARN that names it to drop by hand.
 */
@QuarkusTest
@WithQdrantStandIn(scratchLeft = true)
@ExtendWith(SecretsStayHidden.class)
class DrillScratchLeftTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    LogCapture log;

    @Test
    void theScratchCollectionsAnEarlierProcessLeftAreDroppedOnceTheBootHasSettled() throws Exception {
        Path history = qdrant.directory().directory().resolve(".drills.json");
        // each drop, done or failed, is said at WARN once its record is updated
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(log.appLines())
                .anyMatch(line -> line.contains("`" + QdrantStandIn.SCRATCH_STUCK + "` of the drill started"))
                .anyMatch(line -> line.contains("Dropped collection `" + QdrantStandIn.SCRATCH_LEFT + "`")));

        qdrant.assertScratchLeftDropped();
        assertThat(Files.readString(history)).contains(QdrantStandIn.SCRATCH_STUCK)
                .doesNotContain(QdrantStandIn.SCRATCH_LEFT, QdrantStandIn.SCRATCH_ELSEWHERE);
        List<String> lines = log.appLines();
        assertThat(lines).anyMatch(line -> line.contains("Dropped collection `" + QdrantStandIn.SCRATCH_LEFT
                + "`, the scratch collection of the drill started 2026-12-01T03:00:00Z, which did not drop it (the "
                + "process stopped during it, its drop failed, or Qdrant went on restoring into it)"));
        assertThat(lines).anyMatch(line -> line.contains("The scratch collection `" + QdrantStandIn.SCRATCH_STUCK
                + "` of the drill started 2026-12-02T03:00:00Z may still be on Qdrant and could not be dropped")
                && line.contains("Service internal error: disk I/O"));
        assertThat(lines).anyMatch(line -> line.startsWith("WARN") && line.contains("The scratch collection `"
                + QdrantStandIn.SCRATCH_ELSEWHERE + "` of the drill started 2026-12-03T03:00:00Z was made on the Qdrant "
                + "at http://drills.invalid:6333, where this service no longer drills (QDRANT_DRILL_URL changed since): "
                + "it may still be there, so drop it there by hand; it is forgotten here"));
        given().get("/q/health/ready").then().statusCode(200); // the app answers meanwhile
    }
}
