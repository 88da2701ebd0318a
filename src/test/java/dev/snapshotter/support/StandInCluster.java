package dev.snapshotter.support;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.Options;

/**
 * Three Qdrant stand-ins that answer as the nodes of one cluster: each node's {@code GET /cluster} names its own peer
 * id among the three, its {@code GET /collections/{c}/cluster} gives the placement as that node sees it (its
 * replicas local, the others remote), and its snapshot holds data only of the shards it holds a replica of, as a
 * per-node collection snapshot does. Two of the peer ids are above 2^63, as old deployments have.
 */
public final class StandInCluster {

    public static final String PEER_A = "13542296025311659898";
    public static final String PEER_B = "18446744073709551557";
    public static final String PEER_C = "2189732418852856";
    public static final List<String> PEERS = List.of(PEER_A, PEER_B, PEER_C);

    /** The peer id of the drill Qdrant, a single-node cluster. */
    public static final String PEER_D = "9223372036854775809";

    private final List<QdrantStandIn> nodes;
    private final QdrantStandIn drill;
    private final SnapshotDir directory;
    private Map<Integer, Map<String, String>> replicas = Map.of();
    private Map<Integer, String> keys = Map.of();

    StandInCluster(List<QdrantStandIn> nodes, QdrantStandIn drill, SnapshotDir directory) {
        this.nodes = List.copyOf(nodes);
        this.drill = drill;
        this.directory = directory;
    }

    /**
     * Three nodes (and with {@code drillNode} a fourth, the drill Qdrant) on WireMock servers of their own, reset, that
     * back up into {@code directory}.
     */
    static StandInCluster started(SnapshotDir directory, boolean drillNode) {
        List<QdrantStandIn> started = new ArrayList<>();
        for (int i = 0; i < PEERS.size() + (drillNode ? 1 : 0); i++) {
            WireMockServer server = new WireMockServer(
                    QdrantStandIn.loopback().useChunkedTransferEncoding(Options.ChunkedEncodingPolicy.NEVER)
                            .maxLoggedResponseSize(QdrantStandInResource.LOGGED_RESPONSE_BYTES));
            server.start();
            started.add(new QdrantStandIn(server, directory, null));
        }
        QdrantStandIn drill = drillNode ? started.remove(started.size() - 1) : null;
        StandInCluster cluster = new StandInCluster(started, drill, directory);
        cluster.reset();
        return cluster;
    }

    /** Stops every node's server (the drill Qdrant's too). */
    void stop() {
        nodes.forEach(node -> node.server().stop());
        if (drill != null) {
            drill.server().stop();
        }
    }

    /**
     * What the app needs to back up {@code kairos} from this cluster, as configuration keys: every node in
     * {@code QDRANT_CLUSTER_NODES}, {@code QDRANT_URL} the first, the drill Qdrant in {@code QDRANT_DRILL_URL}.
     */
    Map<String, String> config() {
        Map<String, String> config = new HashMap<>();
        config.put("qdrant.url", nodes.get(0).url());
        config.put("qdrant.cluster.nodes", String.join(",", nodes.stream().map(QdrantStandIn::url).toList()));
        config.put("qdrant.snapshot.api-token", ServiceApi.API_TOKEN);
        config.put("qdrant.api-key", QdrantStandIn.API_KEY);
        config.put("qdrant.snapshot.dir", directory.directory().toString());
        if (drill != null) {
            config.put("qdrant.drill.url", drill.url());
        }
        return config;
    }

    /**
     * The same for a packaged app, as environment variables ({@link QdrantStandIn#appEnvironment}), with {@code more}
     * set too; drills go to the drill Qdrant only when {@code more} says so ({@code QDRANT_DRILL_URL}).
     */
    public Map<String, String> appEnvironment(Map<String, String> more) {
        Map<String, String> environment = new HashMap<>(nodes.get(0).appEnvironment());
        environment.put("QDRANT_CLUSTER_NODES", config().get("qdrant.cluster.nodes"));
        environment.putAll(more);
        return environment;
    }

    /** The drill Qdrant ({@code QDRANT_DRILL_URL}), when the resource started one. */
    public QdrantStandIn drill() {
        return drill;
    }

    public QdrantStandIn node(int index) {
        return nodes.get(index);
    }

    public List<QdrantStandIn> nodes() {
        return nodes;
    }

    public SnapshotDir directory() {
        return directory;
    }

    /**
     * Every node healthy, the collection {@code kairos} in three shards with two replicas each (A: 0 and 2, B: 0 and
     * 1, C: 1 and 2), all {@code Active}, no transfer, and a snapshot served by each node; an empty directory.
     */
    public void reset() {
        nodes.forEach(QdrantStandIn::reset);
        if (drill != null) {
            drill.reset();
        }
        placement(replicas(0, Map.of(PEER_A, "Active", PEER_B, "Active"), 1, Map.of(PEER_B, "Active", PEER_C,
                "Active"), 2, Map.of(PEER_A, "Active", PEER_C, "Active")), "[]", Map.of());
        serveSnapshots();
    }

    /** A placement: by shard id, each peer holding a replica and its state. */
    public static Map<Integer, Map<String, String>> replicas(Object... shardThenPeers) {
        Map<Integer, Map<String, String>> placement = new TreeMap<>();
        for (int i = 0; i < shardThenPeers.length; i += 2) {
            @SuppressWarnings("unchecked")
            Map<String, String> peers = (Map<String, String>) shardThenPeers[i + 1];
            placement.put((Integer) shardThenPeers[i], new LinkedHashMap<>(peers));
        }
        return placement;
    }

    /**
     * Every node answers this placement from where it stands, with these shard transfers (a JSON array) and, for
     * custom sharding, these shard keys by shard id.
     */
    public void placement(Map<Integer, Map<String, String>> replicas, String transfers, Map<Integer, String> keys) {
        this.replicas = replicas;
        this.keys = keys;
        for (int i = 0; i < nodes.size(); i++) {
            String self = PEERS.get(i);
            List<String> local = new ArrayList<>();
            List<String> remote = new ArrayList<>();
            replicas.forEach((shard, held) -> held.forEach((peer, state) -> {
                String key = keys.containsKey(shard) ? ",\"shard_key\":\"" + keys.get(shard) + "\"" : "";
                if (peer.equals(self)) {
                    local.add("{\"shard_id\":" + shard + key + ",\"points_count\":" + (100 + shard) + ",\"state\":\""
                            + state + "\"}");
                } else {
                    remote.add("{\"shard_id\":" + shard + key + ",\"peer_id\":" + peer + ",\"state\":\"" + state
                            + "\"}");
                }
            }));
            nodes.get(i).cluster(self, PEERS, QdrantStandIn.COLLECTION, "{\"peer_id\":" + self + ",\"shard_count\":"
                    + replicas.size() + ",\"local_shards\":[" + String.join(",", local) + "],\"remote_shards\":["
                    + String.join(",", remote) + "],\"shard_transfers\":" + transfers + "}");
        }
    }

    /**
     * The collections matching {@code collectionPattern} (a restore's target, a drill's scratch) are missing until
     * the set's members are uploaded, one to each node in turn (as {@code restore-<set>-<peer>.snapshot}); then they
     * exist, count {@link QdrantStandIn#POINTS}, and every shard has an {@code Active} replica on the node that took
     * its member, with {@code transfers} (a JSON array) going on.
     */
    public void restoresSet(String collectionPattern, String setName, List<String> memberPeers, String transfers) {
        for (int i = 0; i < nodes.size(); i++) {
            String peer = i < memberPeers.size() ? memberPeers.get(i) : memberPeers.get(0);
            nodes.get(i).restoresUploadsTo(collectionPattern, QdrantStandIn.POINTS, uploadName(setName, peer), 0,
                    QdrantStandIn.SAMPLE_IDS);
            nodes.get(i).collectionCluster(collectionPattern, restoredPlacement(PEERS.get(i), transfers));
        }
    }

    /**
     * The name Qdrant keeps the upload of set {@code setName}'s member of {@code peer} under:
     * {@code restore-<set>-<peer>.snapshot}.
     */
    public static String uploadName(String setName, String peer) {
        return "restore-" + setName.replaceAll("\\.set$", "") + "-" + peer + ".snapshot";
    }

    /** The drill Qdrant, a single-node cluster, takes every member of the set into its scratch collections. */
    public void drillTakesSet(String setName, List<String> memberPeers, boolean clusterMode) {
        String scratch = "drill-kairos-\\d{8}-\\d{6}";
        if (clusterMode) {
            drill.cluster(PEER_D, List.of(PEER_D), "unused", "{}");
        }
        // the stand-in keeps one upload name per collection; the last member's is the one its listing shows
        drill.restoresUploadsTo(scratch, QdrantStandIn.POINTS,
                uploadName(setName, memberPeers.get(memberPeers.size() - 1)), 0, QdrantStandIn.SAMPLE_IDS);
        drill.collectionCluster(scratch, restoredPlacement(PEER_D, "[]"));
    }

    private String restoredPlacement(String self, String transfers) {
        List<String> local = new ArrayList<>();
        replicas.keySet().forEach(shard -> local.add("{\"shard_id\":" + shard + ",\"points_count\":100,\"state\":"
                + "\"Active\"}"));
        return "{\"peer_id\":" + self + ",\"shard_count\":" + replicas.size() + ",\"local_shards\":["
                + String.join(",", local) + "],\"remote_shards\":[],\"shard_transfers\":" + transfers + "}";
    }

    /** Each node serves a snapshot holding the data of the shards it holds a replica of; returned by node. */
    public List<QdrantStandIn.Snapshot> serveSnapshots() {
        return serveSnapshots(8192);
    }

    /** The same, each replica's segment holding {@code dataBytes}. */
    public List<QdrantStandIn.Snapshot> serveSnapshots(int dataBytes) {
        List<QdrantStandIn.Snapshot> served = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            served.add(nodes.get(i).snapshotServed(QdrantStandIn.COLLECTION, snapshotOf(PEERS.get(i), dataBytes)));
        }
        return served;
    }

    /** The collection snapshot {@code peer} makes: data of its own replicas, state files of every shard. */
    public byte[] snapshotOf(String peer) {
        return snapshotOf(peer, 8192);
    }

    private byte[] snapshotOf(String peer, int dataBytes) {
        SnapshotArchiveBuilder archive = SnapshotArchiveBuilder.archive().shards(replicas.size()).dataBytes(dataBytes);
        replicas.forEach((shard, held) -> {
            if (!held.containsKey(peer)) {
                archive.remoteShard(shard);
            }
        });
        if (!keys.isEmpty()) {
            List<String> mapping = new ArrayList<>();
            keys.forEach((shard, key) -> mapping.add("{\"key\":\"" + key + "\",\"shard_ids\":[" + shard + "]}"));
            archive.customSharding("[" + String.join(",", mapping) + "]");
        }
        return archive.build();
    }
}
