package dev.snapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.LogCapture;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/** Qdrant takes longer than QDRANT_SNAPSHOT_TIMEOUT to create the snapshot: 504, nothing written, still serving. */
@QuarkusTest
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.timeout", value = "1s"))
@ExtendWith(SecretsStayHidden.class)
class CreateTimeoutTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @Test
    void failsWithGatewayTimeoutWhenCreateOutlastsTheTimeout() {
        qdrant.reset();
        SnapshotDir.Earlier earlier = dir.plantEarlierSnapshot();
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", TestData.snapshot(2048));
        qdrant.createSlow(snapshot, 3000);

        ServiceApi.trigger().then().statusCode(504)
                .body("status", equalTo("failed"))
                .body("targets[0].status", equalTo("failed"))
                .body("targets[0].filePath", nullValue())
                .body("targets[0].message", containsString("1s"))
                .body("targets[0].message", containsString("QDRANT_SNAPSHOT_TIMEOUT"));
        dir.assertOnly(earlier);

        // Qdrant finished the timed-out snapshot after all; the next run finds it by its name and time, deletes it,
        // and leaves alone an older snapshot somebody else made
        String foreign = "kairos-3766212330831337-2020-01-01-00-00-00.snapshot";
        qdrant.listsSnapshots("kairos", snapshot.name(), foreign);
        qdrant.deletesAnySnapshot("kairos");
        QdrantStandIn.Snapshot next = qdrant.snapshotServed("kairos", TestData.snapshot(2048));
        ServiceApi.trigger().then().statusCode(200).body("status", equalTo("completed"))
                .body("targets[0].orphansRemoved", contains(snapshot.name()));
        assertThat(qdrant.requests("DELETE", snapshot.downloadPath())).hasSize(1);
        assertThat(qdrant.requests("DELETE", "/collections/kairos/snapshots/" + foreign)).isEmpty();
        assertThat(qdrant.requests("DELETE", next.downloadPath())).isNotEmpty();
        assertThat(dir.ledger()).doesNotContain(snapshot.name());
    }

    @Test
    void leavesCopiesItCannotTellFromAnotherClientsOnQdrantNamedAndCounted() {
        qdrant.reset();
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", TestData.snapshot(2048));
        qdrant.createSlow(snapshot, 3000);
        ServiceApi.trigger().then().statusCode(504);

        // another client snapshotted the same collection at the same moment (its create started a second before
        // ours and ended after it): two new names in the window of our unanswered create, and nothing tells which
        // one is ours
        java.time.format.DateTimeFormatter time = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd-HH-mm-ss");
        String ours = snapshot.name();
        String at = ours.substring(ours.length() - "yyyy-MM-dd-HH-mm-ss.snapshot".length(), ours.length()
                - ".snapshot".length());
        String foreign = "kairos-3766212330831337-" + time.format(java.time.LocalDateTime.parse(at, time)
                .minusSeconds(1)) + ".snapshot";
        qdrant.listsSnapshots("kairos", ours, foreign);
        qdrant.deletesAnySnapshot("kairos");
        qdrant.snapshotServed("kairos", TestData.snapshot(2048));
        try (LogCapture logs = LogCapture.install()) {
            ServiceApi.trigger().then().statusCode(200).body("status", equalTo("completed"))
                    .body("targets[0].orphansRemoved", nullValue())
                    .body("targets[0].message", containsString("none is deleted"));
            assertThat(logs.lines()).anyMatch(line -> line.startsWith("WARN") && line.contains(ours)
                    && line.contains(foreign) && line.contains("delete ours by hand"));
        }
        assertThat(qdrant.requests("DELETE", "/collections/kairos/snapshots/" + ours)).isEmpty();
        assertThat(qdrant.requests("DELETE", "/collections/kairos/snapshots/" + foreign)).isEmpty();
        assertThat(Scrape.value(IN_DOUBT)).isEqualTo(2);
        assertThat(dir.ledger()).contains(ours).contains(foreign);

        // the operator deleted both by hand: the next run finds them gone and forgets them
        qdrant.listsSnapshots("kairos");
        qdrant.snapshotServed("kairos", TestData.snapshot(2048));
        ServiceApi.trigger().then().statusCode(200);
        assertThat(Scrape.value(IN_DOUBT)).isZero();
        assertThat(dir.ledger()).doesNotContain(ours).doesNotContain(foreign);
    }

    static final String IN_DOUBT = "snapshotter_qdrant_copies_in_doubt{target=\"qdrant\"}";
}
