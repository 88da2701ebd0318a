package dev.snapshotter.qdrant;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.snapshotter.support.PackagedApp;
import dev.snapshotter.support.ServiceApi;

/**
 * A Qdrant that accepts connections and never answers (a hung process, a black-holing proxy): with
 * QDRANT_SNAPSHOT_TIMEOUT=2s, a manual run answers 504 once the first call's deadline has passed, not after a fixed
 * minute. The bound asserted is loose on purpose (the deadline is 2 s; the old fixed one was 60 s).
 */
class SilentQdrantIT {

    @TempDir
    Path directory;

    @Test
    void boundsEveryCallByTheSnapshotTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                PackagedApp.Running app = PackagedApp.start(Map.of("QDRANT_URL",
                        "http://127.0.0.1:" + silent.getLocalPort(), "QDRANT_SNAPSHOT_TIMEOUT", "2s",
                        "QDRANT_SNAPSHOT_DIR", directory.toString(), "QDRANT_SNAPSHOT_API_TOKEN",
                        ServiceApi.API_TOKEN))) {
            Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> given().baseUri(app.url()).get("/q/health/live").statusCode() == 200);

            long started = System.nanoTime();
            ServiceApi.api(app).post("/api/snapshot").then().statusCode(504)
                    .body("targets[0].message", containsString("did not answer list aliases within 2s"));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
        }
    }
}
