package dev.snapshotter.qdrant;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Which nodes of a cluster to snapshot so that the files together hold every shard: the fewest nodes whose
 * {@code Active} replicas cover every shard id (custom sharding included), from one reading of
 * {@code GET /collections/{c}/cluster} and the peer id each configured node answers as.
 *
 * @param members the nodes to snapshot, in the configured order, each with the shards it is counted on for
 * @param shards every shard id of the collection, sorted
 * @param keys the shard key of each shard id under custom sharding; empty under auto sharding
 * @param placement the reading the plan was made from
 */
public record ClusterPlan(List<Member> members, List<Integer> shards, Map<Integer, JsonNode> keys,
        ShardPlacement placement) {

    /** Above this many candidate nodes the cover is chosen greedily instead of by trying every combination. */
    static final int EXACT_LIMIT = 16;

    /**
     * One node of the plan.
     *
     * @param node its REST base URL, as configured
     * @param peerId the peer id it answers as
     * @param shards the shard ids the set counts on this node for (each shard on exactly one member)
     * @param active every shard id it holds an {@code Active} replica of
     */
    public record Member(URI node, String peerId, List<Integer> shards, List<Integer> active) {
    }

    /** Why no plan can be made now: {@code settling} when it may heal by itself (transfers, replicas recovering). */
    public static final class Unplannable extends Exception {

        private final boolean settling;

        Unplannable(boolean settling, String message) {
            super(message);
            this.settling = settling;
        }

        public boolean settling() {
            return settling;
        }
    }

    /**
     * Chooses the members.
     *
     * @param nodes the peer id each configured node answers as, to its URL, in the configured order
     */
    public static ClusterPlan choose(String collection, ShardPlacement placement, Map<String, URI> nodes)
            throws Unplannable {
        if (placement.resharding()) {
            throw new Unplannable(true, "collection `" + collection + "` is being resharded");
        }
        if (!placement.transfers().isEmpty()) {
            throw new Unplannable(true, "shard transfers of collection `" + collection + "` are in progress ("
                    + String.join("; ", placement.transfers()) + ")");
        }
        Map<Integer, List<ShardPlacement.Replica>> replicas = placement.replicas();
        if (replicas.size() < placement.shardCount()) {
            throw new Unplannable(true, "collection `" + collection + "` has " + placement.shardCount() + " shards but "
                    + "Qdrant lists replicas of " + replicas.size() + " only");
        }
        List<String> inactive = new ArrayList<>();
        List<String> unlisted = new ArrayList<>();
        Map<String, Set<Integer>> activeByPeer = new LinkedHashMap<>();
        nodes.keySet().forEach(peer -> activeByPeer.put(peer, new TreeSet<>()));
        replicas.forEach((shard, held) -> {
            List<ShardPlacement.Replica> active = held.stream().filter(r -> "Active".equals(r.state())).toList();
            if (active.isEmpty()) {
                inactive.add("shard " + shard + " (" + held.stream().map(r -> "peer " + r.peerId() + " " + r.state())
                        .collect(Collectors.joining(", ")) + ")");
                return;
            }
            boolean reachable = false;
            for (ShardPlacement.Replica replica : active) {
                Set<Integer> onPeer = activeByPeer.get(replica.peerId());
                if (onPeer != null) {
                    onPeer.add(shard);
                    reachable = true;
                }
            }
            if (!reachable) {
                unlisted.add("shard " + shard + " on peer" + (active.size() > 1 ? "s " : " ") + active.stream()
                        .map(ShardPlacement.Replica::peerId).collect(Collectors.joining(", ")));
            }
        });
        if (!inactive.isEmpty()) {
            throw new Unplannable(true, "no Active replica of " + String.join("; ", inactive));
        }
        if (!unlisted.isEmpty()) {
            throw new Unplannable(false, "Active replicas of " + String.join("; ", unlisted) + " only, and no URL of "
                    + "QDRANT_CLUSTER_NODES answers as " + (unlisted.size() > 1 ? "those peers" : "that peer")
                    + "; list every node of the cluster");
        }
        List<String> candidates = activeByPeer.entrySet().stream().filter(e -> !e.getValue().isEmpty())
                .map(Map.Entry::getKey).toList();
        Set<Integer> all = new TreeSet<>(replicas.keySet());
        List<String> chosen = candidates.size() <= EXACT_LIMIT ? smallestCover(candidates, activeByPeer, all)
                : greedyCover(candidates, activeByPeer, all);
        Set<Integer> assigned = new TreeSet<>();
        List<Member> members = new ArrayList<>();
        for (String peer : nodes.keySet()) {
            if (!chosen.contains(peer)) {
                continue;
            }
            List<Integer> mine = activeByPeer.get(peer).stream().filter(assigned::add).toList();
            members.add(new Member(nodes.get(peer), peer, mine, List.copyOf(activeByPeer.get(peer))));
        }
        return new ClusterPlan(List.copyOf(members), List.copyOf(all), new TreeMap<>(placement.keys()), placement);
    }

    /** The first combination, in the configured order, of the fewest peers that covers every shard. */
    private static List<String> smallestCover(List<String> peers, Map<String, Set<Integer>> active, Set<Integer> all) {
        for (int size = 1; size <= peers.size(); size++) {
            int[] pick = new int[size];
            for (int i = 0; i < size; i++) {
                pick[i] = i;
            }
            while (true) {
                Set<Integer> covered = new TreeSet<>();
                for (int index : pick) {
                    covered.addAll(active.get(peers.get(index)));
                }
                if (covered.containsAll(all)) {
                    List<String> chosen = new ArrayList<>();
                    for (int index : pick) {
                        chosen.add(peers.get(index));
                    }
                    return chosen;
                }
                int i = size - 1;
                while (i >= 0 && pick[i] == peers.size() - size + i) {
                    i--;
                }
                if (i < 0) {
                    break;
                }
                pick[i]++;
                for (int j = i + 1; j < size; j++) {
                    pick[j] = pick[j - 1] + 1;
                }
            }
        }
        return peers; // unreachable: every shard has an Active replica on some candidate
    }

    /** Repeatedly the peer that covers the most shards not yet covered (the configured order breaks ties). */
    private static List<String> greedyCover(List<String> peers, Map<String, Set<Integer>> active, Set<Integer> all) {
        Set<Integer> left = new TreeSet<>(all);
        List<String> chosen = new ArrayList<>();
        while (!left.isEmpty()) {
            String best = null;
            long bestCount = 0;
            for (String peer : peers) {
                long count = active.get(peer).stream().filter(left::contains).count();
                if (count > bestCount) {
                    best = peer;
                    bestCount = count;
                }
            }
            chosen.add(best);
            left.removeAll(active.get(best));
        }
        return chosen;
    }
}
