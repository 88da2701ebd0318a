package dev.snapshotter.cluster;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.snapshotter.support.StandInCluster.PEER_A;
import static dev.snapshotter.support.StandInCluster.PEER_B;
import static dev.snapshotter.support.StandInCluster.PEER_C;
import static dev.snapshotter.support.StandInCluster.replicas;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.not;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotArchiveBuilder;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.StandInCluster;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithStandInCluster;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * A cluster of three stand-in nodes backed up as sets ({@code QDRANT_CLUSTER_NODES}): the fewest nodes that cover
 * every shard, a set that is whole or absent, and each way the cluster can make a backup partial refused with its
 * reason.
 */
@QuarkusTest
@WithStandInCluster
@ExtendWith(SecretsStayHidden.class)
class ClusterBackupTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @InjectQdrant
    StandInCluster cluster;

    @InjectQdrant
    SnapshotDir dir;

    @BeforeEach
    void resetCluster() {
        cluster.reset();
    }

    @Test
    void aCompleteSetFromTheFewestNodesThatCoverEveryShard() throws IOException {
        // A holds shards 0 and 2, B 0 and 1, C 1 and 2: A and B cover all three, C is not asked
        JsonPath report = ServiceApi.trigger().then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("completed"))
                .body("targets[0].filePath", endsWith("-kairos.set"))
                .extract().jsonPath();
        assertThat(report.getList("targets[0].members.peerId")).containsExactly(PEER_A, PEER_B);
        assertThat(report.getList("targets[0].members.shards")).containsExactly(List.of(0, 2), List.of(1));
        assertThat(report.getList("targets[0].members.shardsWithData")).containsExactly(List.of(0, 2), List.of(0, 1));

        Path set = Path.of(report.getString("targets[0].filePath"));
        assertThat(dir.list()).containsExactly(set);
        assertThat(files(set)).containsExactly(PEER_A + ".snap", PEER_A + ".snap.sha256", PEER_B + ".snap",
                PEER_B + ".snap.sha256", "set.json");
        JsonNode manifest = JSON.readTree(set.resolve("set.json").toFile());
        // the keys a reader of set.json finds, in their order
        assertThat(manifest.fieldNames()).toIterable().containsExactly("format", "target", "collection", "aliases",
                "configuredName", "reason", "startedAt", "qdrant", "cluster", "remarks", "points", "completedAt",
                "bytes", "kind", "pointInTime", "consistency", "members");
        assertThat(manifest.get("cluster").fieldNames()).toIterable().containsExactly("mode", "shardCount", "shards");
        assertThat(manifest.path("members").get(0).fieldNames()).toIterable().containsExactly("file", "peerId",
                "node", "qdrantVersion", "qdrantCommit", "bytes", "sha256", "checksumSource", "qdrantSnapshotName",
                "shards", "shardsActive", "shardsWithData", "pointsEstimate", "archive");
        assertThat(manifest.path("kind").asText()).isEqualTo("set");
        assertThat(manifest.path("pointInTime").asBoolean(true)).isFalse();
        assertThat(manifest.path("consistency").asText()).contains("not one point in time across nodes");
        assertThat(manifest.path("cluster").path("shards").toString()).isEqualTo("[0,1,2]");
        assertThat(manifest.path("points").path("count").asLong()).isEqualTo(QdrantStandIn.POINTS);
        for (int i = 0; i < 2; i++) {
            JsonNode member = manifest.path("members").get(i);
            String peer = StandInCluster.PEERS.get(i);
            assertThat(member.path("peerId").asText()).isEqualTo(peer); // above 2^63, kept exact
            assertThat(member.path("node").asText()).isEqualTo(cluster.node(i).url());
            assertThat(member.path("qdrantVersion").asText()).isEqualTo("1.19.0");
            assertThat(member.path("sha256").asText()).isEqualTo(TestData.sha256(Files.readAllBytes(set.resolve(
                    peer + ".snap"))));
            assertThat(member.path("pointsEstimate").size()).isEqualTo(2);
            // each node's copy was deleted once downloaded
            assertThat(cluster.node(i).requests("DELETE", "/collections/kairos/snapshots/kairos-" + peer)).hasSize(1);
        }
        assertThat(manifest.path("members")).hasSize(2);
        assertThat(cluster.node(2).creates()).isEmpty();
        assertThat(dir.ledger()).doesNotContain("kairos-");
    }

    @Test
    void customShardingKeepsTheShardKeysInTheSet() throws IOException {
        cluster.placement(replicas(0, Map.of(PEER_A, "Active"), 1, Map.of(PEER_B, "Active"), 2, Map.of(PEER_C,
                "Active")), "[]", Map.of(0, "tenantA", 1, "tenantB", 2, "tenantC"));
        cluster.serveSnapshots();

        JsonPath report = ServiceApi.trigger().then().statusCode(200).extract().jsonPath();

        assertThat(report.getList("targets[0].members.peerId")).containsExactly(PEER_A, PEER_B, PEER_C);
        JsonNode manifest = JSON.readTree(Path.of(report.getString("targets[0].filePath"), "set.json").toFile());
        assertThat(manifest.path("cluster").path("shardKeys").toString()).isEqualTo(
                "[{\"shardId\":0,\"key\":\"tenantA\"},{\"shardId\":1,\"key\":\"tenantB\"},"
                        + "{\"shardId\":2,\"key\":\"tenantC\"}]");
        assertThat(manifest.path("members").get(2).path("archive").path("shardsWithData").toString()).isEqualTo("[2]");
    }

    @Test
    void aShardWithNoActiveReplicaIsRefusedWithItsReplicas() {
        cluster.placement(replicas(0, Map.of(PEER_A, "Active"), 1, Map.of(PEER_B, "Dead", PEER_C, "Partial"), 2,
                Map.of(PEER_C, "Active")), "[]", Map.of());

        ServiceApi.trigger().then().statusCode(409)
                .body("targets[0].message", containsString("Refusing a partial backup of the cluster: no Active "
                        + "replica of shard 1 (peer "))
                .body("targets[0].message", containsString("peer " + PEER_B + " Dead"))
                .body("targets[0].message", containsString("peer " + PEER_C + " Partial"))
                .body("targets[0].message", containsString("set QDRANT_CLUSTER_SETTLE_TIMEOUT to wait"));
        cluster.nodes().forEach(node -> assertThat(node.creates()).isEmpty());
        assertThat(dir.list()).isEmpty();
    }

    @Test
    void aTransferInProgressIsRefused() {
        cluster.placement(replicas(0, Map.of(PEER_A, "Active"), 1, Map.of(PEER_B, "Active", PEER_A, "Partial"), 2,
                Map.of(PEER_C, "Active")),
                "[{\"shard_id\":1,\"from\":" + PEER_B + ",\"to\":" + PEER_A + ",\"sync\":"
                        + "true,\"method\":\"stream_records\"}]",
                Map.of());

        ServiceApi.trigger().then().statusCode(409)
                .body("targets[0].message", containsString("shard transfers of collection `kairos` are in progress "
                        + "(shard 1 from peer " + PEER_B + " to peer " + PEER_A + ")"));
        cluster.nodes().forEach(node -> assertThat(node.creates()).isEmpty());
        assertThat(dir.list()).isEmpty();
    }

    @Test
    void aNodeFailingMidRunPublishesNoSetAndEveryNodesCopyIsDeleted() {
        List<QdrantStandIn.Snapshot> served = cluster.serveSnapshots();
        // A's download is still on its way when B's breaks
        cluster.node(0).server().stubFor(get(urlEqualTo(served.get(0).downloadPath())).atPriority(1)
                .withHeader("api-key", equalTo(QdrantStandIn.API_KEY)).willReturn(aResponse().withStatus(200)
                        .withBody(served.get(0).body()).withFixedDelay(3_000)));
        cluster.node(1).downloadFault(served.get(1), Fault.CONNECTION_RESET_BY_PEER);

        ServiceApi.trigger().then().statusCode(502)
                .body("targets[0].message", containsString("node " + cluster.node(1).url() + " (peer " + PEER_B
                        + "): "))
                .body("targets[0].message", containsString("no set was published"))
                .body("targets[0].message", containsString("Qdrant's copy " + served.get(1).name() + " on node "
                        + cluster.node(1).url() + " (peer " + PEER_B + ") was deleted"))
                .body("targets[0].filePath", org.hamcrest.Matchers.nullValue());

        assertThat(dir.list()).isEmpty(); // no set, no unfinished set
        // A was stopped before or after its create, depending on timing: whatever copy it made was deleted
        assertThat(cluster.node(0).requests("DELETE", served.get(0).downloadPath()))
                .hasSameSizeAs(cluster.node(0).creates());
        assertThat(cluster.node(1).requests("DELETE", served.get(1).downloadPath())).hasSize(1);
        assertThat(dir.ledger()).doesNotContain("kairos-");
    }

    @Test
    void aCreateStillRunningWhenAnotherNodeFailsIsAwaitedAndItsCopyDeleted() {
        List<QdrantStandIn.Snapshot> served = cluster.serveSnapshots();
        // B's download breaks while A's create is still on its way: A's copy appears on Qdrant after B's failure
        cluster.node(0).createSlow(served.get(0), 1_500);
        cluster.node(1).downloadFault(served.get(1), Fault.CONNECTION_RESET_BY_PEER);

        ServiceApi.trigger().then().statusCode(502)
                .body("targets[0].message", containsString("no set was published"))
                .body("targets[0].message", containsString("Qdrant's copy " + served.get(0).name() + " on node "
                        + cluster.node(0).url() + " (peer " + PEER_A + ") was deleted"))
                .body("targets[0].message", containsString("Qdrant's copy " + served.get(1).name() + " on node "
                        + cluster.node(1).url() + " (peer " + PEER_B + ") was deleted"));

        assertThat(cluster.node(0).creates()).hasSize(1);
        assertThat(cluster.node(0).requests("DELETE", served.get(0).downloadPath())).hasSize(1);
        assertThat(dir.list()).isEmpty();
        assertThat(dir.ledger()).doesNotContain("kairos");
    }

    @Test
    void aMemberWhoseSnapshotLacksAPlannedShardFailsTheSet() {
        // shard 1 left B between the placement read and B's snapshot: B's file holds data of shard 0 only
        QdrantStandIn.Snapshot b = cluster.node(1).snapshotServed(QdrantStandIn.COLLECTION, SnapshotArchiveBuilder
                .archive().shards(3).dataBytes(8192).remoteShard(1).remoteShard(2).build());

        ServiceApi.trigger().then().statusCode(502)
                .body("targets[0].status", org.hamcrest.Matchers.equalTo("failed"))
                .body("targets[0].message", containsString("node " + cluster.node(1).url() + " (peer " + PEER_B
                        + ") held an Active replica of shard 1 when the run began, but its snapshot holds no data of "
                        + "it (the placement changed meanwhile?); no set was published"))
                .body("targets[0].filePath", org.hamcrest.Matchers.nullValue());

        assertThat(dir.list()).isEmpty(); // no set, no unfinished set
        assertThat(cluster.node(1).requests("DELETE", b.downloadPath())).hasSize(1);
        assertThat(dir.ledger()).doesNotContain("kairos-");
    }

    @Test
    void aLoadBalancedUrlIsDetected() {
        // the second URL lands on B, then on C: a Service in front of the pods
        String scenario = "balanced";
        String enabled = "{\"result\":{\"status\":\"enabled\",\"peer_id\":%s,\"peers\":{}},\"status\":\"ok\","
                + "\"time\":0.0001}";
        cluster.node(1).server().stubFor(get(urlEqualTo("/cluster")).atPriority(1).inScenario(scenario)
                .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("C")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(enabled.formatted(PEER_B))));
        cluster.node(1).server().stubFor(get(urlEqualTo("/cluster")).atPriority(1).inScenario(scenario)
                .whenScenarioStateIs("C").willSetStateTo(Scenario.STARTED)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(enabled.formatted(PEER_C))));

        ServiceApi.trigger().then().statusCode(409)
                .body("targets[0].message", containsString("QDRANT_CLUSTER_NODES must list each node's own address, "
                        + "never a load-balanced one: " + cluster.node(1).url() + " answered as peer " + PEER_B
                        + ", then as peer " + PEER_C));
        cluster.nodes().forEach(node -> assertThat(node.creates()).isEmpty());
    }

    @Test
    void twoUrlsAnsweringAsOnePeerAreDetected() {
        cluster.node(2).cluster(PEER_A, StandInCluster.PEERS, QdrantStandIn.COLLECTION, "{}");

        ServiceApi.trigger().then().statusCode(409)
                .body("targets[0].message", containsString(cluster.node(0).url() + " and " + cluster.node(2).url()
                        + " both answered as peer " + PEER_A));
        cluster.nodes().forEach(node -> assertThat(node.creates()).isEmpty());
    }

    @Test
    void anUnreachableNodeIsLeftOutWhenTheOthersCoverEveryShard() {
        cluster.node(1).server().stubFor(get(urlEqualTo("/cluster")).atPriority(1)
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        JsonPath report = ServiceApi.trigger().then().statusCode(200)
                .body("targets[0].message", containsString("node " + cluster.node(1).url() + " was left out"))
                .extract().jsonPath();
        assertThat(report.getList("targets[0].members.peerId")).containsExactly(PEER_A, PEER_C);
        assertThat(cluster.node(1).creates()).isEmpty();
    }

    @Test
    void anUnreachableNodeThatHoldsTheOnlyReplicaIsRefused() {
        cluster.placement(replicas(0, Map.of(PEER_A, "Active"), 1, Map.of(PEER_B, "Active"), 2, Map.of(PEER_A,
                "Active")), "[]", Map.of());
        cluster.node(1).server().stubFor(get(urlEqualTo("/cluster")).atPriority(1)
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        ServiceApi.trigger().then().statusCode(409)
                .body("targets[0].message", containsString("Active replicas of shard 1 on peer " + PEER_B + " only, "
                        + "and no URL of QDRANT_CLUSTER_NODES answers as that peer"))
                .body("targets[0].message", containsString("(unreachable: " + cluster.node(1).url()))
                .body("targets[0].message", not(containsString(QdrantStandIn.API_KEY)));
        cluster.nodes().forEach(node -> assertThat(node.creates()).isEmpty());
        assertThat(dir.list()).isEmpty();
    }

    /**
     * A set drilled on the cluster itself (no {@code QDRANT_DRILL_URL}) whose process stopped during the drill leaves
     * its scratch collection, and a copy of an upload on each node that took a member: the next drill deletes every
     * node's copy, then drops the collection (Qdrant keeps a dropped collection's snapshots on its disk, out of reach
     * of its API), even when it then finds nothing to drill.
     */
    @Test
    void aDrillThatDidNotEndOnTheClusterHasTheUploadsOfEveryNodeDeleted() throws IOException {
        String left = "drill-kairos-20261201-030000";
        String uploadA = "restore-2026-12-01T02-00-00-000Z-kairos-" + PEER_A + ".snapshot";
        String uploadB = "restore-2026-12-01T02-00-00-000Z-kairos-" + PEER_B + ".snapshot";
        cluster.node(0).listsSnapshots(left, uploadA);
        cluster.node(1).listsSnapshots(left, uploadB);
        cluster.node(2).listsSnapshots(left);
        cluster.nodes().forEach(node -> node.deletesAnySnapshot(left));
        cluster.node(0).dropsCollection(left);
        Files.writeString(dir.directory().resolve(".drills.json"), "{\"scratch\":[{\"collection\":\"" + left
                + "\",\"qdrant\":\"" + cluster.node(0).url() + "\",\"since\":\"2026-12-01T03:00:00Z\"}]}");

        ServiceApi.api().contentType("application/json").body("{}").post("/api/drill").then().statusCode(404);

        assertThat(cluster.node(0).requests("DELETE", "/collections/" + left)).extracting(r -> r.getUrl())
                .containsExactly("/collections/" + left + "?wait=true",
                        "/collections/" + left + "/snapshots/" + uploadA + "?wait=true");
        assertThat(cluster.node(1).requests("DELETE", "/collections/" + left)).extracting(r -> r.getUrl())
                .containsExactly("/collections/" + left + "/snapshots/" + uploadB + "?wait=true");
        assertThat(cluster.node(2).requests("DELETE", "/collections/" + left)).isEmpty();
        assertThat(Files.readString(dir.directory().resolve(".drills.json"))).doesNotContain(left);
    }

    private static List<String> files(Path set) throws IOException {
        try (var list = Files.list(set)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
