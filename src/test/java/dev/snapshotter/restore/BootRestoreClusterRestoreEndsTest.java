package dev.snapshotter.restore;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * As {@link BootRestoreQdrantRestoreFailsTest}, but the Qdrant runs as a cluster, without {@code QDRANT_CLUSTER_NODES}:
 * each node's telemetry tells of its own restores only, and {@code QDRANT_URL} may reach another node than the one that
 * took the upload, so a node listing no restore going is not taken for Qdrant's restore having ended: the boot goes on
 * waiting, neither dropping the collection nor uploading again, and says to restart once Qdrant's log shows the restore
 * ended. With every node in {@code QDRANT_CLUSTER_NODES}: {@link BootRestoreClusterNodesRestoreFailsTest}.
 */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true"),
        @ResourceArg(name = "qdrant.snapshot.timeout", value = "1s") }, missingCollectionRestoredAfterMillis = 3_000, restoreGoesOnWithPoints = 1000)
@ExtendWith(SecretsStayHidden.class)
class BootRestoreClusterRestoreEndsTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void aClusterNodeListingNoRestoreGoingIsNotTakenForTheRestoreHavingEnded() {
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/q/health/started").then()
                .statusCode(503)
                .body("checks[0].data.restoreMessage", containsString("did not answer in time: it does not hold it "
                        + "whole yet (")));
        Path planted = qdrant.directory().list().stream().filter(file -> file.toString().endsWith(".snap")).findFirst()
                .orElseThrow();
        String peer = String.valueOf(3766212330831337L);
        qdrant.cluster(peer, List.of(peer), QdrantStandIn.COLLECTION, "{\"peer_id\":" + peer + ",\"shard_count\":1,"
                + "\"local_shards\":[" + QdrantStandIn.shard(0, null, "Active") + "],\"remote_shards\":[],"
                + "\"shard_transfers\":[]}");

        qdrant.restoreFails(QdrantStandIn.COLLECTION, SnapshotDir.uploadName(planted), 1000);

        Awaitility.await().atMost(Duration.ofSeconds(25)).untilAsserted(() -> given().get("/q/health/started").then()
                .statusCode(503)
                .body("checks[0].data.restoreMessage", containsString("it does not hold it whole yet (Collection "
                        + "`kairos` has 1000 points after the restore, but the snapshot was taken with 1234); once it "
                        + "holds it whole the boot takes it as restored (Qdrant does not tell when its restore ends: a "
                        + "cluster, whose nodes each tell of their own, without every node in QDRANT_CLUSTER_NODES, "
                        + "or a Qdrant before 1.16; should its log show that its restore ended without that, restart "
                        + "the service")));
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).hasSize(1);
        assertThat(qdrant.requests("DELETE", "/collections/kairos?")).isEmpty();
    }
}
