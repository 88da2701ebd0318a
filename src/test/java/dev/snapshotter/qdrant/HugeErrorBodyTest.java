package dev.snapshotter.qdrant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.FaultyDownloadServer;
import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.LogCapture;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.junit.QuarkusTest;

/**
 * A control call (here the alias list) answered with an error body of 1 GiB: the report and the log hold its
 * first 4 KiB and say it was cut, and the service reads no more of it than socket buffers hold (memory stays flat).
 */
@QuarkusTest
@WithQdrantStandIn(faulty = WithQdrantStandIn.Faulty.CONTROL)
@ExtendWith(SecretsStayHidden.class)
class HugeErrorBodyTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @Test
    // a client that buffers the body runs out of heap and hangs rather than throws: fail instead
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void readsOnlyTheHeadOfAHugeControlErrorBody() {
        qdrant.faulty().plan(FaultyDownloadServer.HugeError.moreThanTheTestHeap(500));

        String message;
        try (LogCapture logs = LogCapture.install()) {
            message = ServiceApi.trigger().then().statusCode(502)
                    .body("targets[0].message", containsString("Qdrant answered 500"))
                    .body("targets[0].message", containsString("(truncated)"))
                    .extract().path("targets[0].message");
            assertThat(logs.lines()).filteredOn(line -> line.startsWith("ERROR")).singleElement()
                    .satisfies(line -> assertThat(line.length()).isLessThan(6 * 1024));
        }
        assertThat(message.length()).isLessThan(5 * 1024);
        assertThat(dir.list()).isEmpty();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void drainsLongErrorBodiesOnOneThreadHoweverManyArrive() {
        qdrant.faulty().plan(FaultyDownloadServer.HugeError.stalling(503));
        for (int i = 0; i < 3; i++) { // the app's own pools are warm after these
            ServiceApi.trigger().then().statusCode(502);
        }
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long startedBefore = threads.getTotalStartedThreadCount();

        // a probe loop against a server whose long error bodies can never be drained
        for (int i = 0; i < 12; i++) {
            ServiceApi.trigger().then().statusCode(502);
        }

        // one shared closer, not a thread per body: what starts is the stand-in's own thread per connection (12,
        // in this JVM) and at most a few pool threads
        assertThat(threads.getTotalStartedThreadCount() - startedBefore).isLessThan(12 + 6);
        assertThat(Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals("qdrant-error-body-close"))).hasSizeLessThanOrEqualTo(1);
    }
}
