package dev.snapshotter.offsite;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.InjectS3;
import dev.snapshotter.support.LogCapture;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.S3Bucket;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A pod without a volume ({@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false}) was stopped during its drills, which left their
 * scratch collections on Qdrant, each a whole copy of the collection; the new pod's directory knows nothing of them.
 * The bucket records them: they are dropped once the boot has settled (one whose drop fails stays recorded, one on
 * another Qdrant is forgotten with a WARN). Before, they stayed on Qdrant for good.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(scratchLeft = true, plantedOffsitePrefix = OffsiteDrillScratchLeftTest.PREFIX)
@WithS3(prefix = OffsiteDrillScratchLeftTest.PREFIX, config = @ResourceArg(name = "qdrant.snapshot.s3.keep-local", value = "false"))
@ExtendWith(SecretsStayHidden.class)
class OffsiteDrillScratchLeftTest {

    static final String PREFIX = "drill-scratch-left";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectS3
    S3Bucket bucket;

    LogCapture log;

    @Test
    void theScratchCollectionsTheBucketRecordsAreDroppedOnceTheBootHasSettled() {
        String records = "kairos/drills/";
        // each drop, done or failed, is said at WARN once its record is updated
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(log.appLines())
                .anyMatch(line -> line.contains("`" + QdrantStandIn.SCRATCH_STUCK + "` of the drill started"))
                .anyMatch(line -> line.contains("Dropped collection `" + QdrantStandIn.SCRATCH_LEFT + "`")));

        qdrant.assertScratchLeftDropped();
        assertThat(bucket.keys()).contains(records + "2026-12-02T03-00-00-000Z-scratch.json")
                .doesNotContain(records + "2026-12-01T03-00-00-000Z-scratch.json",
                        records + "2026-12-03T03-00-00-000Z-scratch.json"); // on another Qdrant: forgotten
        assertThat(log.appLines()).anyMatch(line -> line.contains("Dropped collection `" + QdrantStandIn.SCRATCH_LEFT
                + "`, the scratch collection of the drill started 2026-12-01T03:00:00Z, which did not drop it"));
        given().get("/q/health/ready").then().statusCode(200);
    }
}
