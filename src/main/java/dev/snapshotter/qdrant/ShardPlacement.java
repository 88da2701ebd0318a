package dev.snapshotter.qdrant;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Where a collection's shards live, as the node the service talks to sees it ({@code GET /cluster} and {@code GET
 * /collections/{c}/cluster}). A collection snapshot holds the data of the shards the answering node holds, so it is
 * a whole backup only when that node holds an {@code Active} replica of every shard. Peer ids are unsigned 64-bit
 * numbers and are kept as the decimal text Qdrant sent.
 *
 * @param mode whether Qdrant runs as a cluster
 * @param peerId the answering node's peer id
 * @param peers how many peers {@code GET /cluster} lists; 0 when Qdrant runs alone or that was refused
 * @param shardCount how many shard ids the collection has, by Qdrant's count
 * @param local the shard ids this node holds in state {@code Active}, sorted
 * @param replicas every replica Qdrant lists, by shard id: peer id and state
 * @param keys the shard key of each shard id under custom sharding (as JSON: a string or a number); empty otherwise
 * @param localPoints Qdrant's estimate of the points of each shard this node holds
 * @param transfers the shard transfers going on, in an operator's words
 * @param resharding whether a resharding operation is going on
 */
public record ShardPlacement(Mode mode, String peerId, int peers, int shardCount, List<Integer> local,
        Map<Integer, List<Replica>> replicas, Map<Integer, JsonNode> keys, Map<Integer, Long> localPoints,
        List<String> transfers, boolean resharding) {

    public enum Mode {
        /** {@code GET /cluster} says {@code disabled}. */
        STANDALONE,
        /** {@code GET /cluster} says {@code enabled}. */
        DISTRIBUTED,
        /** {@code GET /cluster} was refused (a key limited to collections); only the collection's view is known. */
        UNKNOWN;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One replica of a shard: the peer that holds it and Qdrant's state for it ({@code Active}, {@code Dead}...). */
    public record Replica(String peerId, String state) {
    }

    /** A standalone Qdrant whose shard placement could not be read: whole, with no peer id or shard ids known. */
    static ShardPlacement unknown() {
        return new ShardPlacement(Mode.STANDALONE, null, 0, 0, List.of(), Map.of(), Map.of(), Map.of(), List.of(), false);
    }

    static ShardPlacement of(Mode mode, int peers, JsonNode info) {
        String peerId = info.path("peer_id").asText(null);
        Map<Integer, List<Replica>> replicas = new TreeMap<>();
        TreeSet<Integer> local = new TreeSet<>();
        Map<Integer, JsonNode> keys = new TreeMap<>();
        Map<Integer, Long> points = new TreeMap<>();
        for (JsonNode shard : info.path("local_shards")) {
            int id = shard.path("shard_id").asInt();
            String state = shard.path("state").asText();
            if (shard.hasNonNull("shard_key")) {
                keys.put(id, shard.get("shard_key"));
            }
            if (shard.path("points_count").canConvertToLong()) {
                points.put(id, shard.get("points_count").asLong());
            }
            replicas.computeIfAbsent(id, k -> new ArrayList<>()).add(new Replica(peerId, state));
            if ("Active".equals(state)) {
                local.add(id);
            }
        }
        for (JsonNode shard : info.path("remote_shards")) {
            if (shard.hasNonNull("shard_key")) {
                keys.put(shard.path("shard_id").asInt(), shard.get("shard_key"));
            }
            replicas.computeIfAbsent(shard.path("shard_id").asInt(), k -> new ArrayList<>())
                    .add(new Replica(shard.path("peer_id").asText(), shard.path("state").asText()));
        }
        int shardCount = info.path("shard_count").asInt(replicas.size());
        List<String> transfers = new ArrayList<>();
        for (JsonNode transfer : info.path("shard_transfers")) {
            transfers.add("shard " + transfer.path("shard_id").asText() + " from peer " + transfer.path("from").asText()
                    + " to peer " + transfer.path("to").asText());
        }
        JsonNode resharding = info.get("resharding_operations");
        return new ShardPlacement(mode, peerId, peers, shardCount, List.copyOf(local), replicas, keys, points,
                List.copyOf(transfers), resharding != null && resharding.isArray() && !resharding.isEmpty());
    }

    /** How many shard replicas Qdrant lists, in any state. */
    public int replicaCount() {
        return replicas.values().stream().mapToInt(List::size).sum();
    }

    /** How many of them {@code peer} holds. */
    public long replicasOn(String peer) {
        return replicas.values().stream().flatMap(List::stream).filter(r -> r.peerId().equals(peer)).count();
    }

    /** Whether a collection snapshot taken on this node holds every shard's data. */
    public boolean complete() {
        return replicas.size() >= shardCount && replicas.keySet().stream().allMatch(local::contains);
    }

    /**
     * The shards this node lacks, in an operator's words: {@code shard 1 on peer 22 (Active); shard 2 on peers 33
     * (Active), 44 (Dead)}.
     */
    public String missing() {
        List<String> parts = new ArrayList<>();
        replicas.forEach((id, held) -> {
            if (!local.contains(id)) {
                List<Replica> elsewhere = held.stream().filter(r -> !r.peerId().equals(peerId)
                        || !"Active".equals(r.state())).toList();
                parts.add("shard " + id + (elsewhere.isEmpty() ? " nowhere"
                        : " on peer"
                                + (elsewhere.size() > 1 ? "s " : " ")
                                + elsewhere.stream().map(r -> r.peerId() + (r.peerId().equals(peerId) ? " (this node)" : "")
                                        + " (" + r.state() + ")").collect(Collectors.joining(", "))));
            }
        });
        if (replicas.size() < shardCount) {
            parts.add((shardCount - replicas.size()) + " of the " + shardCount + " shards with no replica listed");
        }
        return String.join("; ", parts);
    }
}
