package dev.snapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.nullValue;

import java.time.Instant;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.junit.QuarkusTest;

/** Qdrant's disk after failed runs: nothing a failed run made stays there for longer than the next run. */
@QuarkusTest
@WithQdrantStandIn
@ExtendWith(SecretsStayHidden.class)
class QdrantCopiesTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @BeforeEach
    void resetQdrant() {
        qdrant.reset();
    }

    @Test
    void deletesQdrantsCopyAtOnceWhenThereIsNoRoomToDownloadIt() {
        SnapshotDir.Earlier earlier = dir.plantEarlierSnapshot();
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", TestData.snapshot(1000));
        qdrant.createAnswers(snapshot, snapshot.sha256(), 1L << 60);

        ServiceApi.trigger().then().statusCode(507)
                .body("targets[0].message", containsString("nothing was downloaded"))
                .body("targets[0].message", containsString("Qdrant's copy " + snapshot.name() + " was deleted"))
                .body("targets[0].snapshotName", nullValue());

        assertThat(qdrant.requests("DELETE", snapshot.downloadPath())).hasSize(1);
        assertThat(qdrant.requests("GET", snapshot.downloadPath())).isEmpty();
        assertThat(dir.ledger()).doesNotContain(snapshot.name());
        dir.assertOnly(earlier);
    }

    /**
     * A restore that did not end (the process stopped once Qdrant had its upload), or that could not delete the copy
     * Qdrant keeps of its upload, leaves that copy, a whole snapshot, among the collection's snapshots: the next run
     * deletes it, and says so in {@code orphansRemoved}; another client's snapshot stays. Before, nothing ever did.
     */
    @Test
    void deletesTheCopyOfAnUploadARestoreLeft() {
        String upload = "restore-2026-12-01T02-00-00-000Z-kairos.snapshot";
        String setMember = "restore-2026-12-01T02-00-00-000Z-kairos-1234.snapshot";
        String other = "kairos-backup-by-another-tool.snapshot";
        qdrant.snapshotServed("kairos", TestData.snapshot(1000));
        qdrant.listsSnapshots("kairos", upload, setMember, other);
        qdrant.deletesAnySnapshot("kairos");

        ServiceApi.trigger().then().statusCode(200)
                .body("targets[0].orphansRemoved", hasItems(upload, setMember));

        assertThat(qdrant.requests("DELETE", "/collections/kairos/snapshots/" + upload)).hasSize(1);
        assertThat(qdrant.requests("DELETE", "/collections/kairos/snapshots/" + setMember)).hasSize(1);
        assertThat(qdrant.requests("DELETE", "/collections/kairos/snapshots/" + other)).isEmpty();
    }

    @Test
    void deletesTheCopyAFailedDownloadLeftAtTheNextRun() throws Exception {
        QdrantStandIn.Snapshot failed = qdrant.snapshotServed("kairos", TestData.snapshot(1000));
        qdrant.downloadFails(failed, 500, "Service internal error: disk I/O");

        ServiceApi.trigger().then().statusCode(502)
                .body("targets[0].snapshotName", equalTo(failed.name()))
                .body("targets[0].remoteDeleted", equalTo(false))
                .body("targets[0].message", containsString("kept on the server until the next run removes it"));
        assertThat(qdrant.requests("DELETE", failed.downloadPath())).isEmpty();
        assertThat(dir.ledger()).contains(failed.name());
        // the ledger's keys, in their order (a file a later version reads back)
        JsonNode ledger = new ObjectMapper().readTree(dir.ledger());
        assertThat(ledger.fieldNames()).toIterable().containsExactly("format", "copies");
        assertThat(ledger.path("format").asInt()).isEqualTo(1);
        JsonNode entry = ledger.path("copies").get(0);
        assertThat(entry.fieldNames()).toIterable().containsExactly("collection", "requestedAt", "before", "name");
        assertThat(Instant.parse(entry.path("requestedAt").asText())).isBefore(Instant.now());
        assertThat(entry.path("name").asText()).isEqualTo(failed.name());

        Thread.sleep(1100); // the next snapshot gets a name of its own (Qdrant names them to the second)
        qdrant.listsSnapshots("kairos", failed.name(), "kairos-3766212330831337-2020-01-01-00-00-00.snapshot");
        qdrant.deletesAnySnapshot("kairos");
        QdrantStandIn.Snapshot next = qdrant.snapshotServed("kairos", TestData.snapshot(2000));
        ServiceApi.trigger().then().statusCode(200)
                .body("targets[0].orphansRemoved", contains(failed.name()));

        assertThat(qdrant.requests("DELETE", failed.downloadPath())).hasSize(1);
        assertThat(qdrant.requests("DELETE", "/collections/kairos/snapshots/kairos-3766212330831337-2020")).isEmpty();
        assertThat(qdrant.requests("DELETE", next.downloadPath())).hasSize(1);
        assertThat(dir.ledger()).doesNotContain(failed.name()).doesNotContain(next.name());
    }

    @Test
    void keepsNoLedgerEntryForACreateQdrantRefused() {
        qdrant.createFails("kairos", 500, "Service internal error: boom");

        ServiceApi.trigger().then().statusCode(502);

        assertThat(dir.ledger()).doesNotContain("\"collection\"");
    }
}
