package dev.snapshotter.snapshot;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TempTree;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.Tmpfs;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The snapshot directory fails after boot: removed, turned read-only, or full midway through a download. Each run
 * fails with the operating system's words, leaves no file, keeps the earlier snapshot, and the next run works once
 * the directory is back.
 */
@QuarkusTest
@WithQdrantStandIn
@ExtendWith(SecretsStayHidden.class)
class LocalDiskFaultTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    private Tmpfs tmpfs;

    @BeforeEach
    void resetQdrant() {
        qdrant.reset();
    }

    @AfterEach
    void restoreDirectory() throws IOException {
        if (tmpfs != null) {
            tmpfs.close();
            tmpfs = null;
        }
        Files.createDirectories(dir.directory());
        Files.setPosixFilePermissions(dir.directory(), PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void failsBeforeAskingQdrantWhenTheDirectoryWasRemoved() throws IOException {
        qdrant.snapshotServed("kairos", TestData.snapshot(1000));
        TempTree.delete(dir.directory()); // the volume went away, the lock file with it

        ServiceApi.trigger().then().statusCode(500)
                .body("targets[0].status", org.hamcrest.Matchers.equalTo("failed"))
                .body("targets[0].message", containsString("QDRANT_SNAPSHOT_DIR " + dir.directory()))
                .body("targets[0].message", containsString("no longer a directory"));
        assertThat(qdrant.creates()).isEmpty();
        assertThat(dir.directory()).doesNotExist();
        // no later run can succeed until someone acts: readiness says so, with the reason
        io.restassured.RestAssured.given().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'last-run' }.data.reason",
                        containsString("the snapshot directory takes no files"))
                .body("checks.find { it.name == 'last-run' }.data.message", containsString("no longer a directory"));

        Files.createDirectories(dir.directory());
        // the condition is gone: readiness recovers before any run
        io.restassured.RestAssured.given().get("/q/health/ready").then().statusCode(200);
        ServiceApi.trigger().then().statusCode(200);
        assertThat(dir.list()).hasSize(3);
    }

    @Test
    void failsBeforeAskingQdrantWhenTheDirectoryTurnedReadOnly() throws IOException {
        SnapshotDir.Earlier earlier;
        if (Tmpfs.permitted()) {
            tmpfs = Tmpfs.mount(dir.directory(), "1m");
            earlier = dir.plantEarlierSnapshot();
            tmpfs.remountReadOnly();
        } else {
            Assumptions.assumeFalse("root".equals(System.getProperty("user.name")),
                    "root ignores permission bits and this machine does not let the tests mount a read-only tmpfs");
            earlier = dir.plantEarlierSnapshot();
            Files.setPosixFilePermissions(dir.directory(), PosixFilePermissions.fromString("r-x------"));
        }
        qdrant.snapshotServed("kairos", TestData.snapshot(1000));

        ServiceApi.trigger().then().statusCode(500)
                .body("targets[0].message", containsString("no longer takes files"))
                .body("targets[0].message", containsString(Tmpfs.permitted() ? "Read-only file system" : "Permission denied"));
        assertThat(qdrant.creates()).isEmpty();
        dir.assertOnly(earlier);
    }

    @Test
    void removesThePartialFileWhenTheDiskFillsMidway() throws Exception {
        Assumptions.assumeTrue(Tmpfs.permitted(), "this machine does not let the tests mount a small tmpfs");
        tmpfs = Tmpfs.mount(dir.directory(), "4m");
        SnapshotDir.Earlier earlier = dir.plantEarlierSnapshot();
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", TestData.snapshot(3 * 1024 * 1024));
        // the body trickles in over 3 s, so the disk can fill up under it (another writer on the same volume)
        qdrant.server().stubFor(get(urlEqualTo(snapshot.downloadPath())).atPriority(1)
                .withHeader("api-key", equalTo(QdrantStandIn.API_KEY))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/octet-stream")
                        .withBody(snapshot.body()).withChunkedDribbleDelay(30, 3000)));

        CompletableFuture<Response> run = CompletableFuture.supplyAsync(ServiceApi::trigger);
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> !qdrant.requests("GET", snapshot.downloadPath()).isEmpty());
        Path hog = dir.directory().resolve("other-writer.bin");
        fillUp(hog);

        run.get().then().statusCode(507)
                .body("targets[0].status", org.hamcrest.Matchers.equalTo("failed"))
                .body("targets[0].message", containsString("No space left on device"));
        Files.delete(hog);
        dir.assertOnly(earlier);
        assertThat(qdrant.requests("DELETE", "/collections/")).isEmpty();
    }

    private static void fillUp(Path hog) {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(hog)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException diskFull) {
            // the volume is full
        }
    }
}
