package dev.snapshotter.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
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

/**
 * {@code QDRANT_SNAPSHOT_TIMEOUT=1s}, and a Qdrant that takes 3 s to restore an upload: the restore fails, and says
 * what Qdrant does meanwhile. Qdrant restores an upload in a task that a client's timeout does not stop, so the target
 * may yet be written, unchecked. Before, the report said only that Qdrant did not answer in time, which reads as
 * "nothing happened".
 */
@QuarkusTest
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.timeout", value = "1s"))
@ExtendWith(SecretsStayHidden.class)
class RestoreUploadTimeoutTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @BeforeEach
    void reset() {
        qdrant.reset();
    }

    @Test
    void anUploadQdrantHadWholeButDidNotAnswerInTimeSaysTheCollectionMayYetBeWritten() {
        Path planted = dir.plantRestorable(QdrantStandIn.POINTS);
        String file = planted.getFileName().toString();
        qdrant.collectionMissing("kairos_restored");
        qdrant.restoresUploads("kairos_restored", QdrantStandIn.POINTS, SnapshotDir.uploadName(planted), 3_000);
        qdrant.aliasesUpdated();

        io.restassured.response.Response response = ServiceApi.api().contentType("application/json")
                .body("{\"collection\":\"kairos_restored\"}").post("/api/snapshots/" + file + "/restore");
        response.then().statusCode(502)
                .body("status", equalTo("failed"))
                .body("qdrantStillRestoring", equalTo(true))
                .body("message", allOf(containsString("The upload failed: Qdrant at "),
                        containsString("did not answer upload snapshot"),
                        containsString(". Qdrant had all of " + file + ", and restores it in a task that neither a "
                                + "timeout nor a closed connection stops: collection `kairos_restored` may yet be "
                                + "written with it, unchecked by this restore; give the upload more time than Qdrant "
                                + "takes to restore it (QDRANT_SNAPSHOT_TIMEOUT, and the read timeout of a proxy in "
                                + "front of Qdrant)")))
                .body("remarks", hasItem(startsWith("The service follows Qdrant's restore ")));
        // Qdrant ended its restore (the stand-in's upload restored it whole): the service's first check finds it so
        String run = response.header("Link").substring(1, response.header("Link").indexOf('>'));
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> ServiceApi.api().get(run).then()
                .statusCode(200).body("status", equalTo("completed")));
    }

    /**
     * A drill whose upload Qdrant had whole but did not answer in time: the drill drops its scratch collection, but
     * Qdrant's restore goes on and creates it anew, a whole copy of the collection. So it stays recorded, and the next
     * drill drops it again. Before, it was forgotten once dropped, and each such drill left a copy behind for good.
     */
    @Test
    void aDrillWhoseUploadQdrantDidNotAnswerInTimeKeepsItsScratchRecordedForTheNextDrill() throws Exception {
        Path planted = dir.plantRestorable(QdrantStandIn.POINTS);
        qdrant.restoresUploadsTo(DrillTest.SCRATCH, QdrantStandIn.POINTS, SnapshotDir.uploadName(planted), 3_000,
                QdrantStandIn.SAMPLE_IDS);

        String left = drill().statusCode(502)
                .body("qdrantStillRestoring", equalTo(true))
                .body("scratchDropped", equalTo(true))
                .body("remarks", hasItem(allOf(startsWith("Dropped the scratch collection `drill-kairos-"),
                        endsWith("`, but Qdrant may still be restoring into it, which creates it anew: it stays "
                                + "recorded, and the next drill, or the next boot, drops it again"))))
                .extract().path("collection");
        assertThat(Files.readString(dir.directory().resolve(".drills.json"))).contains(left);
        assertThat(Scrape.value("snapshotter_drill_scratch_left")).isEqualTo(1.0);

        Thread.sleep(1_100); // scratch collections are named to the second
        qdrant.server().resetScenarios();
        qdrant.restoresUploadsTo(DrillTest.SCRATCH, QdrantStandIn.POINTS, SnapshotDir.uploadName(planted), 0,
                QdrantStandIn.SAMPLE_IDS);
        drill().statusCode(200)
                .body("remarks", hasItem(startsWith("Dropped collection `" + left + "`, the scratch collection of the "
                        + "drill started ")));
        assertThat(Files.readString(dir.directory().resolve(".drills.json"))).doesNotContain("drill-kairos-");
        assertThat(Scrape.value("snapshotter_drill_scratch_left")).isZero();
    }

    private static io.restassured.response.ValidatableResponse drill() {
        return ServiceApi.api().contentType("application/json").body("{}").post("/api/drill").then();
    }

    /** Qdrant's own answer is final: a restore it refused is not said to go on. */
    @Test
    void anUploadQdrantRefusedIsNotSaidToGoOn() {
        Path planted = dir.plantRestorable(QdrantStandIn.POINTS);
        qdrant.collectionMissing("kairos_restored");
        qdrant.uploadFails("kairos_restored", 500, "Service internal error: no space left on device");

        ServiceApi.api().contentType("application/json").body("{\"collection\":\"kairos_restored\"}")
                .post("/api/snapshots/" + planted.getFileName() + "/restore").then().statusCode(502)
                .body("status", equalTo("failed"))
                .body("message", allOf(containsString("no space left on device"), not(containsString("may yet be"))));
    }
}
