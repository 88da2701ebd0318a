package dev.snapshotter.restore;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Relay;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A restore whose upload Qdrant stops reading in the middle, its connection held open without an answer (a relay in
 * front of the stand-in): the upload is cut after {@code QDRANT_SNAPSHOT_STALL_TIMEOUT} and the restore fails with
 * that said, instead of hanging on a write that has no timeout. The snapshot is 8 MiB: far more than the socket
 * buffers, so a relay that stops reading blocks the upload's writes. And a restore whose upload a proxy refuses for
 * its size, answering 413 and closing the connection before the body is sent: that 413 cannot be read then, and the
 * restore fails saying where the connection ended and what such a proxy needs.
 */
@QuarkusTest
@WithQdrantStandIn(relayed = WithQdrantStandIn.Relaying.PLAIN, config = @ResourceArg(name = "qdrant.snapshot.stall-timeout", value = "2s"))
@ExtendWith(SecretsStayHidden.class)
class RestoreStallTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    Relay relay;

    @BeforeEach
    void reset() {
        qdrant.reset();
    }

    @AfterEach
    void flow() {
        relay.flowAgain();
    }

    @Test
    void anUploadQdrantStopsReadingIsCutAndTheRestoreFails() {
        uploadStallFailsTheRestore(qdrant, relay);
    }

    @Test
    void anUploadAProxyRefusesForItsSizeFailsSayingWhereTheConnectionEnded() {
        qdrant.snapshotServed("kairos", TestData.snapshot(8 << 20));
        Path file = Path.of(ServiceApi.trigger().then().statusCode(200).extract().<String> path("targets[0].filePath"));
        qdrant.restoresUploads(RestoreTest.TARGET, QdrantStandIn.POINTS, SnapshotDir.uploadName(file));
        relay.refuseBodiesOver(1 << 20);

        given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN).contentType("application/json")
                .body("{\"collection\":\"" + RestoreTest.TARGET + "\"}")
                .post("/api/snapshots/" + file.getFileName() + "/restore").then().statusCode(502)
                .body("status", equalTo("failed"))
                .body("message", startsWith("The upload failed: The connection to Qdrant at " + relay.url() + " ended "
                        + "after "))
                .body("message", matchesPattern(".* ended after \\d+ of the \\d+ bytes to upload snapshot `"
                        + SnapshotDir.uploadName(file) + "` to collection `" + RestoreTest.TARGET + "` had been sent .*"))
                .body("message", containsString("a proxy in front of it that limits the size of request bodies "
                        + "refused it (its 413 cannot be read while the body is still being sent)"))
                .body("uploadedCopyDeleted", equalTo(true));

        assertThat(qdrant.requests("POST", "/collections/" + RestoreTest.TARGET + "/snapshots/upload")).isEmpty();
    }

    /** A restore of an 8 MiB snapshot whose upload Qdrant stops reading after 1 MiB. */
    static void uploadStallFailsTheRestore(QdrantStandIn qdrant, Relay relay) {
        qdrant.snapshotServed("kairos", TestData.snapshot(8 << 20));
        Path file = Path.of(ServiceApi.trigger().then().statusCode(200).extract().<String> path("targets[0].filePath"));
        qdrant.restoresUploads(RestoreTest.TARGET, QdrantStandIn.POINTS, SnapshotDir.uploadName(file));
        relay.stallAfter(1 << 20);

        // well under the test client's 30 s; without the cut, the write blocks until TCP gives up
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> given()
                .header("Authorization", "Bearer " + ServiceApi.API_TOKEN).contentType("application/json")
                .body("{\"collection\":\"" + RestoreTest.TARGET + "\"}")
                .post("/api/snapshots/" + file.getFileName() + "/restore").then().statusCode(502)
                .body("status", equalTo("failed"))
                .body("message", startsWith("The upload failed: "))
                .body("message", containsString("took no byte of the upload for 2s: QDRANT_SNAPSHOT_STALL_TIMEOUT"))
                .body("uploadedCopyDeleted", equalTo(true)));

        assertThat(qdrant.requests("POST", "/collections/" + RestoreTest.TARGET + "/snapshots/upload")).isEmpty();
    }
}
