package dev.snapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.QdrantStandInResource;
import dev.snapshotter.support.SecretsStayHidden;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Qdrant takes longer than QDRANT_SNAPSHOT_TIMEOUT to create the snapshot: 504, nothing written, still serving. */
@QuarkusTest
@WithTestResource(value = QdrantStandInResource.class, initArgs = @ResourceArg(name = "qdrant.snapshot.timeout", value = "1s"))
@ExtendWith(SecretsStayHidden.class)
class CreateTimeoutTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void failsWithGatewayTimeoutWhenCreateOutlastsTheTimeout() {
        qdrant.reset();
        QdrantStandIn.Earlier earlier = qdrant.plantEarlierSnapshot();
        QdrantStandIn.Snapshot snapshot = qdrant.snapshotServed("kairos", QdrantStandIn.randomBytes(2048));
        qdrant.createSlow(snapshot, 3000);

        QdrantStandIn.trigger().then().statusCode(504)
                .body("status", equalTo("failed"))
                .body("targets[0].status", equalTo("failed"))
                .body("targets[0].filePath", nullValue())
                .body("targets[0].message", containsString("1s"))
                .body("targets[0].message", containsString("QDRANT_SNAPSHOT_TIMEOUT"));
        qdrant.assertOnly(earlier);

        // Qdrant finished the timed-out snapshot after all; the next run finds it by its name and time, deletes it,
        // and leaves alone an older snapshot somebody else made
        String foreign = "kairos-3766212330831337-2020-01-01-00-00-00.snapshot";
        qdrant.listsSnapshots("kairos", snapshot.name(), foreign);
        qdrant.deletesAnySnapshot("kairos");
        QdrantStandIn.Snapshot next = qdrant.snapshotServed("kairos", QdrantStandIn.randomBytes(2048));
        QdrantStandIn.trigger().then().statusCode(200).body("status", equalTo("completed"))
                .body("targets[0].orphansRemoved", contains(snapshot.name()));
        assertThat(qdrant.requests("DELETE", snapshot.downloadPath())).hasSize(1);
        assertThat(qdrant.requests("DELETE", "/collections/kairos/snapshots/" + foreign)).isEmpty();
        assertThat(qdrant.requests("DELETE", next.downloadPath())).isNotEmpty();
        assertThat(qdrant.ledger()).doesNotContain(snapshot.name());
    }
}
