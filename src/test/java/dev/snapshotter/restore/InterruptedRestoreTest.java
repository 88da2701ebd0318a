package dev.snapshotter.restore;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.LogCapture;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.junit.QuarkusTest;

/**
 * An earlier process stopped during a restore's upload into {@code kairos_restored}: Qdrant keeps the copy of that
 * upload, a whole snapshot's size, which the restore would have deleted at its end. Once the boot has settled, it is
 * deleted, by its name only: another restore's copy and someone else's snapshot stay, and so does the collection,
 * which the run, listed as failed, says to check. Qdrant fails the first listing (not up yet): the deletion is tried
 * again. Before, the copy stayed on Qdrant's disk for good.
 */
@QuarkusTest
@WithQdrantStandIn(restoreStopped = true)
@ExtendWith(SecretsStayHidden.class)
class InterruptedRestoreTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    LogCapture log;

    @Test
    void theCopyOfTheUploadARestoreLeftIsDeletedOnceTheBootHasSettled() {
        String snapshots = "/collections/" + QdrantStandIn.STOPPED_INTO + "/snapshots/";
        Awaitility.await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> assertThat(log.appLines())
                .anyMatch(line -> line.contains("Deleted " + QdrantStandIn.STOPPED_UPLOAD + " from the snapshots of "
                        + "collection `" + QdrantStandIn.STOPPED_INTO + "`: the copy Qdrant kept of the upload of run "
                        + QdrantStandIn.STOPPED_RUN + ", which the process stopped during")));
        assertThat(log.appLines()).anyMatch(line -> line.contains("WARN") && line.contains("The copy Qdrant keeps of the "
                + "upload of " + QdrantStandIn.STOPPED_FILE + " into collection `" + QdrantStandIn.STOPPED_INTO + "` (run "
                + QdrantStandIn.STOPPED_RUN + ", which the process stopped during) could not be deleted now, and is tried "
                + "again later"));
        assertThat(qdrant.requests("GET", snapshots.substring(0, snapshots.length() - 1))).hasSizeGreaterThanOrEqualTo(2);
        assertThat(qdrant.requests("DELETE", snapshots).stream().map(LoggedRequest::getUrl))
                .containsExactly(snapshots + QdrantStandIn.STOPPED_UPLOAD + "?wait=true");
        assertThat(qdrant.requests("DELETE", "/collections/" + QdrantStandIn.STOPPED_INTO + "?")).isEmpty();

        given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN)
                .get("/api/runs/" + QdrantStandIn.STOPPED_RUN).then().statusCode(200)
                .body("status", equalTo("failed"))
                .body("collection", equalTo(QdrantStandIn.STOPPED_INTO))
                .body("message", startsWith("The process stopped during this run"));
    }
}
