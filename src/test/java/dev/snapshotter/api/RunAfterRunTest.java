package dev.snapshotter.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.snapshot.RunJournal;
import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.LogCapture;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.arc.ClientProxy;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * A run that has ended (its record at {@code /api/runs/{id}} reads finished, its caller answered) still holds the run
 * slot while it writes its entry in the run journal: milliseconds, longer on a slow volume. A run asked for then waits
 * for it instead of being refused {@code 409} "in progress", as a script that follows a run and asks for the next one
 * the moment it ends could be (a fresh-clone CI was once, asking for a snapshot the moment startup went UP).
 * The journal's writing is held here for 2.5 s, as a slow volume would.
 */
@QuarkusTest
@WithQdrantStandIn
@ExtendWith(SecretsStayHidden.class)
class RunAfterRunTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Inject
    RunJournal journal;

    LogCapture log;

    @Test
    void aRunAskedForWhileTheLastWritesItsJournalEntryWaitsForIt() throws Exception {
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed(QdrantStandIn.COLLECTION, TestData.snapshot(4096));
        qdrant.createSlow(snapshot, 1_000);
        long completedBefore = completedLines(); // the app, and its log, may be shared with earlier test classes
        String first = ServiceApi.triggerAsync().then().statusCode(202).extract().path("id");
        Object slowVolume = ClientProxy.unwrap(journal);
        CountDownLatch writing = new CountDownLatch(1);
        CompletableFuture<Void> held = CompletableFuture.runAsync(() -> {
            synchronized (slowVolume) {
                writing.countDown();
                try {
                    Thread.sleep(2_500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        String next = null;
        try {
            writing.await();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> completedLines() > completedBefore);
            Thread.sleep(200); // the run has ended: it writes its journal entry, holding the slot

            Response asked = ServiceApi.triggerAsync();
            assertThat(asked.statusCode()).as(asked.asString()).isEqualTo(202);
            next = asked.path("id");
            assertThat(held).isDone();
        } finally {
            held.join(); // nothing of this test is left to the next one
            ServiceApi.finishedRun(first);
            if (next != null) {
                ServiceApi.finishedRun(next);
            }
        }
        assertThat(ServiceApi.finishedRun(first).getString("status")).isEqualTo("completed");
        assertThat(ServiceApi.finishedRun(next).getString("status")).isEqualTo("completed");
    }

    private long completedLines() {
        return log.appLines().stream().filter(line -> line.contains("Snapshot completed: reason=api")).count();
    }
}
