package dev.snapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@code QDRANT_SNAPSHOT_DELETE_REMOTE=false}: Qdrant's copy stays on the server, the report says so, and no later run
 * takes it for a leftover of ours and deletes it.
 */
@QuarkusTest
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.delete-remote", value = "false"))
@ExtendWith(SecretsStayHidden.class)
class KeepQdrantsCopyTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @Test
    void qdrantsCopyIsKeptAndNoLaterRunDeletesIt() throws Exception {
        QdrantStandIn.Snapshot first = qdrant.snapshotServed("kairos", TestData.snapshot(10_000));

        String file = ServiceApi.trigger().then().statusCode(200)
                .body("targets[0].status", equalTo("completed"))
                .body("targets[0].snapshotName", equalTo(first.name()))
                .body("targets[0].remoteDeleted", equalTo(false))
                .body("targets[0].message", equalTo("Qdrant's copy " + first.name() + " was kept on the server "
                        + "(QDRANT_SNAPSHOT_DELETE_REMOTE=false)"))
                .extract().path("targets[0].filePath");
        assertThat(TestData.sha256(Files.readAllBytes(Path.of(file)))).isEqualTo(first.sha256());
        assertThat(qdrant.requests("DELETE", "/collections/")).isEmpty();
        assertThat(dir.ledger()).doesNotContain(first.name());

        // the next run finds it listed on Qdrant beside its own, and leaves both there
        qdrant.listsSnapshots("kairos", first.name());
        Awaitility.await().until(() -> !qdrant.describeSnapshot("kairos", new byte[0]).name().equals(first.name()));
        QdrantStandIn.Snapshot second = qdrant.snapshotServed("kairos", TestData.snapshot(10_001));
        ServiceApi.trigger().then().statusCode(200)
                .body("targets[0].snapshotName", equalTo(second.name()))
                .body("targets[0].orphansRemoved", nullValue());
        assertThat(qdrant.requests("DELETE", "/collections/")).isEmpty();
        assertThat(Scrape.value("snapshotter_qdrant_copies_in_doubt{target=\"qdrant\"}")).isZero();
    }
}
