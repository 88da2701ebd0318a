package dev.snapshotter.store;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A backup set's {@code set.json}: the one definition its writer (the cluster run) and its readers (the catalog,
 * off-site copies, set restores) share. It begins with the fields every {@link Manifest} has, so that a reader of
 * either finds the collection, its aliases, the Qdrant and the point counts where it expects them; then what makes it
 * a set. Fields a later version adds are ignored when read.
 *
 * @param cluster the cluster as the run planned it: every shard id, and the shard keys of a custom-sharded collection
 * @param bytes the members' sizes added up
 * @param kind {@code set}
 * @param pointInTime false: the members were taken one node at a time ({@code consistency} says so in words)
 * @param members the files, each from one node, in the order the plan chose them
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@RegisterForReflection(targets = { SetManifest.class, SetManifest.Cluster.class, SetManifest.ShardKey.class,
        SetManifest.Member.class })
public record SetManifest(int format, String target, Manifest.Collection collection, List<String> aliases,
        String configuredName, String reason, String startedAt, Manifest.Qdrant qdrant, Cluster cluster,
        List<String> remarks, Manifest.Points points, String completedAt, Long bytes, String kind,
        boolean pointInTime, String consistency, List<Member> members) {

    public static final String KIND = "set";

    /**
     * @param mode {@code distributed}
     * @param shardCount the collection's number of shards
     * @param shards every shard id the set holds data of
     * @param shardKeys a custom-sharded collection's shard keys, by shard id; absent otherwise
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Cluster(String mode, int shardCount, List<Integer> shards,
            @JsonInclude(JsonInclude.Include.NON_NULL) List<ShardKey> shardKeys) {
    }

    /** A shard id and its key, as Qdrant gave it (a string or a number). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ShardKey(int shardId, JsonNode key) {
    }

    /**
     * One member: a node's snapshot, in the set's directory.
     *
     * @param file its name in the set's directory
     * @param peerId the peer it was taken on (as text: peer ids are unsigned 64-bit)
     * @param node the URL it was taken through
     * @param checksumSource {@code qdrant} when Qdrant's checksum was compared, {@code computed} otherwise
     * @param shards the shards it was chosen for; {@code shardsActive} every shard it held Active
     * @param shardsWithData the shards whose data the archive check found in the file
     * @param pointsEstimate Qdrant's estimate of each local shard's points, by shard id
     * @param archive what the archive check found ({@code SnapshotArchive.Facts})
     * @param remarks what the run could not learn of this member; absent when nothing
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Member(String file, String peerId, String node, String qdrantVersion, String qdrantCommit,
            Long bytes, String sha256, String checksumSource, String qdrantSnapshotName, List<Integer> shards,
            List<Integer> shardsActive, List<Integer> shardsWithData, Map<String, Long> pointsEstimate,
            JsonNode archive, @JsonInclude(JsonInclude.Include.NON_NULL) List<String> remarks) {
    }

    /** The set made of a run's manifest (the fields every manifest has), completed now with its own. */
    public static SetManifest of(Manifest run, String completedAt, Cluster cluster, List<String> remarks,
            String consistency, List<Member> members) {
        return new SetManifest(run.format(), run.target(), run.collection(), run.aliases(), run.configuredName(),
                run.reason(), run.startedAt(), run.qdrant(), cluster, remarks, run.points(), completedAt,
                members.stream().mapToLong(Member::bytes).sum(), KIND, false, consistency, List.copyOf(members));
    }

    /**
     * Refuses a document that does not describe its members: none, or one without a plain file name, a size or a
     * SHA-256. A set is read only through its members' records, so this is what makes it usable at all.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public SetManifest checked() {
        if (members == null || members.isEmpty()) {
            throw new IllegalArgumentException("it names no member");
        }
        for (Member member : members) {
            if (member == null || member.file() == null || member.file().isEmpty() || member.file().contains("/")
                    || member.bytes() == null || member.bytes() < 0 || member.sha256() == null
                    || !SnapshotCatalog.SHA256.matcher(member.sha256()).matches()) {
                throw new IllegalArgumentException("it does not describe its members (file, bytes, sha256)");
            }
        }
        return this;
    }

    /** What a set shares with a snapshot's manifest (its cluster as mode and shards), for the catalog's readers. */
    public Manifest asManifest() {
        return new Manifest(format, target, collection, aliases, configuredName, reason, startedAt, qdrant,
                cluster == null ? null : new Manifest.Cluster(cluster.mode(), null, cluster.shards()), remarks, points,
                completedAt, null, bytes, null, null, null, null);
    }

    /** The member of this file name. */
    public Member member(String file) {
        return members.stream().filter(m -> m.file().equals(file)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the set has no member " + file));
    }

    /** Every shard id whose data some member holds. */
    public TreeSet<Integer> shardsWithData() {
        TreeSet<Integer> covered = new TreeSet<>();
        members.forEach(m -> covered.addAll(m.shardsWithData() == null ? List.of() : m.shardsWithData()));
        return covered;
    }

    /** Whether the collection is custom-sharded (the set keeps its shard keys). */
    public boolean customSharded() {
        return cluster != null && cluster.shardKeys() != null;
    }

    /** Every shard id of the collection the set was taken of. */
    public List<Integer> shards() {
        return cluster == null || cluster.shards() == null ? List.of() : cluster.shards();
    }
}
