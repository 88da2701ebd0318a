package dev.snapshotter.snapshot;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.LogCapture;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Runs refused before the create, because the snapshot could not be a whole, usable backup: a cluster node that
 * lacks some of the collection's shards (its snapshot would hold part of the data), and a collection whose name
 * makes Qdrant's snapshot file name too long. Nothing is asked of Qdrant beyond what it takes to know.
 */
@QuarkusTest
@WithQdrantStandIn
@ExtendWith(SecretsStayHidden.class)
class ClusterAndNameRefusalTest {

    /** Peer ids are unsigned 64-bit: this one is above 2^63, as old deployments have. */
    static final String THIS_PEER = "13542296025311659898";
    static final String PEER_B = "2189732418852856";
    static final String PEER_C = "7733190255871021";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @BeforeEach
    void resetQdrant() {
        qdrant.reset();
    }

    private static String collectionCluster(int shardCount, String local, String remote) {
        return "{\"peer_id\":" + THIS_PEER + ",\"shard_count\":" + shardCount + ",\"local_shards\":[" + local
                + "],\"remote_shards\":[" + remote + "],\"shard_transfers\":[]}";
    }

    @Test
    void refusesAPartialBackupOnANodeThatLacksShards() {
        qdrant.snapshotServed("kairos", TestData.snapshot(2048));
        qdrant.cluster(THIS_PEER, List.of(THIS_PEER, PEER_B, PEER_C), "kairos", collectionCluster(3,
                QdrantStandIn.shard(0, null, "Active"),
                QdrantStandIn.shard(1, PEER_B, "Active") + "," + QdrantStandIn.shard(2, PEER_C, "Active") + ","
                        + QdrantStandIn.shard(2, PEER_B, "Dead")));

        try (LogCapture logs = LogCapture.install()) {
            ServiceApi.trigger().then().statusCode(409)
                    .body("status", equalTo("failed"))
                    .body("targets[0].filePath", nullValue())
                    .body("targets[0].message", containsString("Refusing a partial backup: collection `kairos` is "
                            + "spread over a Qdrant cluster"))
                    .body("targets[0].message", containsString("(peer " + THIS_PEER + ") holds an Active replica "
                            + "of shard 0 only"))
                    .body("targets[0].message", containsString("shard 1 on peer " + PEER_B + " (Active)"))
                    .body("targets[0].message", containsString("shard 2 on peers " + PEER_C + " (Active), " + PEER_B
                            + " (Dead)"))
                    .body("targets[0].message", containsString("QDRANT_URL"))
                    .body("targets[0].message", containsString("set QDRANT_CLUSTER_NODES to every node's URL"));
            assertThat(logs.lines()).anyMatch(line -> line.startsWith("ERROR") && line.contains("partial backup"));
        }
        assertThat(qdrant.creates()).isEmpty();
        assertThat(dir.list()).isEmpty();
    }

    @Test
    void aKeyLimitedToTheCollectionStillRefusesAPartialBackup() {
        // GET /cluster is 403 for such a key: the collection's own view of its shards decides alone
        qdrant.snapshotServed("kairos", TestData.snapshot(2048));
        qdrant.cluster(THIS_PEER, List.of(THIS_PEER, PEER_B), "kairos", collectionCluster(2,
                QdrantStandIn.shard(0, null, "Active"), QdrantStandIn.shard(1, PEER_B, "Active")));
        qdrant.clusterStatusNeedsGlobalAccess();

        ServiceApi.trigger().then().statusCode(409)
                .body("targets[0].message", containsString("Refusing a partial backup: collection `kairos` is "
                        + "spread over a Qdrant cluster"))
                .body("targets[0].message", containsString("shard 1 on peer " + PEER_B + " (Active)"));
        assertThat(qdrant.creates()).isEmpty();
        assertThat(dir.list()).isEmpty();
    }

    @Test
    void aKeyLimitedToTheCollectionSnapshotsANodeThatHoldsEveryShard() throws Exception {
        qdrant.snapshotServed("kairos", TestData.snapshot(2048));
        qdrant.cluster(THIS_PEER, List.of(THIS_PEER), "kairos", collectionCluster(1,
                QdrantStandIn.shard(0, null, "Active"), ""));
        qdrant.clusterStatusNeedsGlobalAccess();

        String file = ServiceApi.trigger().then().statusCode(200)
                .body("targets[0].status", equalTo("completed"))
                .extract().path("targets[0].filePath");
        com.fasterxml.jackson.databind.JsonNode manifest = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(java.nio.file.Path.of(file + ".json").toFile());
        // whether Qdrant runs as a cluster could not be read with this key; the node's shards could
        assertThat(manifest.path("cluster").path("mode").asText()).isEqualTo("unknown");
        assertThat(manifest.path("cluster").path("shards").toString()).isEqualTo("[0]");
    }

    @Test
    void refusesWhenAReplicaOnThisNodeIsNotActive() {
        qdrant.snapshotServed("kairos", TestData.snapshot(2048));
        qdrant.cluster(THIS_PEER, List.of(THIS_PEER, PEER_B), "kairos", collectionCluster(2,
                QdrantStandIn.shard(0, null, "Active") + "," + QdrantStandIn.shard(1, null, "Partial"),
                QdrantStandIn.shard(1, PEER_B, "Active")));

        ServiceApi.trigger().then().statusCode(409)
                .body("targets[0].message", containsString("shard 1 on peers " + THIS_PEER + " (this node) (Partial), "
                        + PEER_B + " (Active)"));
        assertThat(qdrant.creates()).isEmpty();
    }

    @Test
    void takesAWholeBackupFromANodeHoldingAnActiveReplicaOfEveryShard() {
        qdrant.deletesAnySnapshot("kairos");
        qdrant.snapshotServed("kairos", TestData.snapshot(2048));
        // replication factor 3 on 3 nodes: this node holds everything
        qdrant.cluster(THIS_PEER, List.of(THIS_PEER, PEER_B, PEER_C), "kairos", collectionCluster(2,
                QdrantStandIn.shard(0, null, "Active") + "," + QdrantStandIn.shard(1, null, "Active"),
                QdrantStandIn.shard(0, PEER_B, "Active") + "," + QdrantStandIn.shard(1, PEER_C, "Dead")));

        String file = ServiceApi.trigger().then().statusCode(200).body("status", equalTo("completed"))
                .extract().path("targets[0].filePath");

        JsonPath manifest = JsonPath.from(Path.of(file + ".json").toFile());
        assertThat(manifest.getString("cluster.mode")).isEqualTo("distributed");
        assertThat(manifest.getString("cluster.peerId")).isEqualTo(THIS_PEER);
        assertThat(manifest.getList("cluster.shards", Integer.class)).containsExactly(0, 1);
    }

    @Test
    void recordsAStandaloneQdrantInTheManifest() {
        qdrant.snapshotServed("kairos", TestData.snapshot(2048));

        String file = ServiceApi.trigger().then().statusCode(200).extract().path("targets[0].filePath");

        JsonPath manifest = JsonPath.from(Path.of(file + ".json").toFile());
        assertThat(manifest.getString("cluster.mode")).isEqualTo("standalone");
        assertThat(manifest.getString("cluster.peerId")).isEqualTo("3766212330831337");
        assertThat(manifest.getList("cluster.shards", Integer.class)).containsExactly(0);
        assertThat(manifest.getList("remarks", String.class)).isEmpty();
    }

    @Test
    void explainsEveryNullOfTheManifest() {
        qdrant.snapshotServed("kairos", TestData.snapshot(2048));
        // an older Qdrant: no segments_count in its collection info, and a build without a commit id
        qdrant.server().stubFor(get(urlEqualTo("/collections/kairos")).atPriority(1)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"result\":{\"status\":\"green\",\"points_count\":5,\"config\":{}},"
                                + "\"status\":\"ok\",\"time\":0.0001}")));
        qdrant.server().stubFor(get(urlEqualTo("/")).atPriority(1).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"title\":\"qdrant - vector search engine\",\"version\":\"1.12.0\"}")));

        String file = ServiceApi.trigger().then().statusCode(200)
                .body("targets[0].pruned", nullValue()).body("targets[0].orphansRemoved", nullValue())
                .extract().path("targets[0].filePath");

        JsonPath manifest = JsonPath.from(Path.of(file + ".json").toFile());
        assertThat(manifest.getString("collection.segments_count")).isNull();
        assertThat(manifest.getString("qdrant.commit")).isNull();
        assertThat(manifest.getList("remarks", String.class))
                .anyMatch(remark -> remark.contains("collection.segments_count is null"))
                .anyMatch(remark -> remark.contains("qdrant.commit is null"));
    }

    @Test
    void refusesACollectionWhoseSnapshotNameQdrantCouldNotStore() {
        String longName = "k".repeat(210);
        qdrant.alias("kairos", longName);
        qdrant.snapshotServed(longName, TestData.snapshot(100));

        ServiceApi.trigger().then().statusCode(409)
                .body("targets[0].message", containsString("has a name of 210 bytes, too long to snapshot"))
                .body("targets[0].message", containsString("names up to 200 bytes fit"))
                .body("targets[0].message", containsString("nothing was asked of Qdrant"));
        assertThat(qdrant.creates()).isEmpty();
        assertThat(dir.list()).isEmpty();

        String fits = "k".repeat(200);
        qdrant.alias("kairos", fits);
        qdrant.deletesAnySnapshot(fits);
        qdrant.snapshotServed(fits, TestData.snapshot(100));
        ServiceApi.trigger().then().statusCode(200);
    }
}
