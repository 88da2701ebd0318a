package dev.snapshotter.restore;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

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
 * As {@link BootRestoreClusterRestoreEndsTest}, but with {@code QDRANT_CLUSTER_NODES}: each node's telemetry is read,
 * and once the nodes answer as every peer of the cluster (here one), none tells of a restore of the collection going,
 * and the collection is not whole, Qdrant's restore ended without restoring it: the boot drops what it left and restores
 * it again, without a restart. While a peer answers through no node listed, the boot waits as without the variable.
 * Before, a cluster's boot waited for good, saying to restart the service.
 */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true"),
        @ResourceArg(name = "qdrant.snapshot.timeout", value = "1s"),
        @ResourceArg(name = "qdrant.cluster.nodes", value = "${qdrant.url}") }, missingCollectionRestoredAfterMillis = 3_000, restoreGoesOnWithPoints = 1000)
@ExtendWith(SecretsStayHidden.class)
class BootRestoreClusterNodesRestoreFailsTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void aClusterWhoseNodesAllTellOfNoRestoreGoingIsRestoredAgainWithoutARestart() {
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/q/health/started").then()
                .statusCode(503)
                .body("checks[0].data.restoreMessage", containsString("did not answer upload snapshot")));
        Path planted = qdrant.directory().list().stream().filter(file -> file.toString().endsWith(".snap")).findFirst()
                .orElseThrow();
        String peer = String.valueOf(3766212330831337L);
        String unlisted = String.valueOf(5212330831337376L); // a peer no node of QDRANT_CLUSTER_NODES answers as
        String cluster = "{\"peer_id\":" + peer + ",\"shard_count\":1,\"local_shards\":["
                + QdrantStandIn.shard(0, null, "Active") + "],\"remote_shards\":[],\"shard_transfers\":[]}";
        qdrant.cluster(peer, List.of(peer, unlisted), QdrantStandIn.COLLECTION, cluster);
        qdrant.restoreFails(QdrantStandIn.COLLECTION, SnapshotDir.uploadName(planted), 1000);
        int uploads = qdrant.requests("POST", "/collections/kairos/snapshots/upload").size();

        // a node not listed may be restoring it: the boot waits, neither dropping it nor uploading again
        Awaitility.await().atMost(Duration.ofSeconds(25)).untilAsserted(() -> given().get("/q/health/started").then()
                .statusCode(503)
                .body("checks[0].data.restoreMessage", containsString("it does not hold it whole yet (Collection "
                        + "`kairos` has 1000 points after the restore, but the snapshot was taken with 1234); once it "
                        + "holds it whole the boot takes it as restored (Qdrant does not tell when its restore ends: a "
                        + "cluster, whose nodes each tell of their own, without every node in QDRANT_CLUSTER_NODES")));
        assertThat(qdrant.requests("DELETE", "/collections/kairos?")).isEmpty();

        // every peer answers through QDRANT_CLUSTER_NODES, and none tells of a restore going: it ended
        qdrant.cluster(peer, List.of(peer), QdrantStandIn.COLLECTION, cluster);

        Awaitility.await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        given().get("/q/health/started").then()
                .body("checks[0].data.restore", equalTo("completed"))
                .body("checks[0].data.restoreMessage", containsString("so it was dropped first"));
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).hasSize(uploads + 1);
        assertThat(qdrant.requests("DELETE", "/collections/kairos?")).hasSize(1);
        assertThat(qdrant.directory().directory().resolve(".boot-restore.json")).doesNotExist();
    }
}
