package dev.snapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.FaultyDownloadServer;
import dev.snapshotter.support.FaultyDownloadServer.Ending;
import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.LogCapture;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.junit.QuarkusTest;

/** Downloads that break midway: nothing under any name, earlier snapshots untouched, Qdrant's copy kept. */
@QuarkusTest
@WithQdrantStandIn(faulty = WithQdrantStandIn.Faulty.DOWNLOAD)
@ExtendWith(SecretsStayHidden.class)
class DownloadFaultTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    private byte[] body;
    private QdrantStandIn.Snapshot snapshot;

    @BeforeEach
    void resetQdrant() {
        qdrant.reset();
        body = TestData.snapshot(2 * 1024 * 1024);
        snapshot = qdrant.snapshotServed("kairos", body);
    }

    @Test
    void completesWhenTheWholeBodyArrives() {
        ServiceApi.trigger().then().statusCode(200).body("status", equalTo("completed"));
        assertThat(dir.list()).hasSize(3);
    }

    @Test
    void removesPartialFileWhenConnectionIsResetMidway() throws Exception {
        Path earlier = earlierSnapshot();
        qdrant.faulty().plan(new FaultyDownloadServer.Plan(body, body.length / 2, Ending.RESET));

        ServiceApi.trigger().then().statusCode(502)
                .body("targets[0].status", equalTo("failed"))
                .body("targets[0].snapshotName", equalTo(snapshot.name()))
                .body("targets[0].message", containsString("kept on the server"));
        assertOnlyEarlierSnapshotRemains(earlier);
    }

    @Test
    void removesPartialFileWhenBodyEndsBeforeContentLength() throws Exception {
        Path earlier = earlierSnapshot();
        qdrant.faulty().plan(new FaultyDownloadServer.Plan(body, body.length - 1000, Ending.CLOSE));

        ServiceApi.trigger().then().statusCode(502).body("targets[0].status", equalTo("failed"));
        assertOnlyEarlierSnapshotRemains(earlier);
    }

    @Test
    void readsAContentLengthBeyondTwoGibibytes() {
        SnapshotDir.Earlier earlier = dir.plantEarlierSnapshot();
        long beyondInt = Integer.MAX_VALUE + 2L;
        qdrant.createAnswers(snapshot, snapshot.sha256(), null);
        qdrant.faulty().plan(new FaultyDownloadServer.Plan(body, body.length, Ending.CLOSE, beyondInt));

        // a snapshot over 2 GiB is announced and read as such (here it then ends early, so the run fails cleanly)
        ServiceApi.trigger().then().statusCode(502)
                .body("targets[0].message", containsString("The download ended after " + body.length
                        + " bytes but Qdrant's Content-Length announced " + beyondInt))
                .body("targets[0].message", not(containsString("NumberFormatException")));
        dir.assertOnly(earlier);
    }

    @Test
    void failsStalledDownloadAfterReadTimeout() throws Exception {
        Path earlier = earlierSnapshot();
        qdrant.faulty().plan(new FaultyDownloadServer.Plan(body, 4096, Ending.STALL));

        // a read timeout is a timeout (504), not an unreachable Qdrant
        ServiceApi.trigger().then().statusCode(504).body("targets[0].status", equalTo("failed"))
                .body("targets[0].message", containsString("timed out after"))
                .body("targets[0].message", containsString("QDRANT_SNAPSHOT_STALL_TIMEOUT"));
        assertOnlyEarlierSnapshotRemains(earlier);
    }

    @Test
    // a client that buffers the body runs out of heap and hangs rather than throws: fail instead
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void readsOnlyTheHeadOfAHugeErrorBody() {
        SnapshotDir.Earlier earlier = dir.plantEarlierSnapshot();
        qdrant.faulty().plan(FaultyDownloadServer.HugeError.moreThanTheTestHeap(404));

        String message;
        try (LogCapture logs = LogCapture.install()) {
            message = ServiceApi.trigger().then().statusCode(502)
                    .body("targets[0].message", containsString("Qdrant answered 404"))
                    .body("targets[0].message", containsString("(truncated)"))
                    .extract().path("targets[0].message");
            assertThat(logs.lines()).filteredOn(line -> line.startsWith("ERROR")).singleElement()
                    .satisfies(line -> assertThat(line.length()).isLessThan(6 * 1024));
        }
        assertThat(message.length()).isLessThan(5 * 1024);
        dir.assertOnly(earlier);
    }

    private Path earlierSnapshot() throws Exception {
        Path earlier = dir.directory().resolve("2026-01-01T00-00-00-000Z-kairos.snap");
        Files.write(earlier, new byte[] { 1, 2, 3 });
        return earlier;
    }

    private void assertOnlyEarlierSnapshotRemains(Path earlier) throws Exception {
        assertThat(dir.list()).containsExactly(earlier);
        assertThat(Files.readAllBytes(earlier)).containsExactly(1, 2, 3);
        assertThat(qdrant.requests("DELETE", "/collections/")).isEmpty();
    }
}
