package dev.snapshotter.store;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A snapshot's manifest, the {@code .json} file beside it: the one definition its writer (the run) and its readers
 * (the catalog, restores, drills, off-site lookups) share. Every field the run could not learn is null, with the
 * reason among {@code remarks}; fields a later version adds are ignored when read. A backup set's {@code set.json}
 * begins with the same fields up to {@code points} (its {@code cluster} has other fields, and it adds its members),
 * so a set is read through this record too for what they share.
 *
 * @param format 1
 * @param target the target that took it ({@code qdrant})
 * @param collection the real collection and its info as Qdrant gave it just before the create
 * @param aliases every alias that pointed at the collection
 * @param configuredName {@code QDRANT_COLLECTION} when it was taken (an alias, where {@code collection} is real)
 * @param reason why it was taken ({@code boot}, {@code schedule}, {@code api})
 * @param points the exact point counts around the create, and a sample of ids for drills
 * @param file the snapshot's file name (a snapshot's manifest only, as the fields below)
 * @param checksumSource {@code qdrant} when Qdrant's checksum was compared, {@code computed} otherwise
 * @param archive what the archive check found in the file ({@code SnapshotArchive.Facts})
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@RegisterForReflection(targets = { Manifest.class, Manifest.Collection.class, Manifest.Qdrant.class,
        Manifest.Cluster.class, Manifest.Points.class })
public record Manifest(int format, String target, Collection collection, List<String> aliases, String configuredName,
        String reason, String startedAt, Qdrant qdrant, Cluster cluster, List<String> remarks, Points points,
        String completedAt, @JsonInclude(JsonInclude.Include.NON_NULL) String file, Long bytes,
        @JsonInclude(JsonInclude.Include.NON_NULL) String sha256,
        @JsonInclude(JsonInclude.Include.NON_NULL) String checksumSource,
        @JsonInclude(JsonInclude.Include.NON_NULL) String qdrantSnapshotName,
        @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode archive) {

    /** The collection as Qdrant described it: its values as Qdrant sent them, each null when it sent none. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Collection(String name, JsonNode status, @JsonProperty("points_count") JsonNode pointsCount,
            @JsonProperty("segments_count") JsonNode segmentsCount, JsonNode config) {
    }

    /** The Qdrant that made it ({@code GET /}). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Qdrant(String version, String commit) {
    }

    /**
     * Where it was taken: {@code mode} ({@code standalone}, {@code distributed} or {@code unknown}), the node's peer id
     * (as text: peer ids are unsigned 64-bit) and the shard ids whose data the file holds.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Cluster(String mode, String peerId, List<Integer> shards) {
    }

    /**
     * The exact point counts read just before and just after the create; when they agree, that is the snapshot's
     * {@code count}; when writes happened meanwhile, it holds between {@code min} and {@code max} points. A restore
     * checks the count it finds against them; a drill reads the {@code sample} ids back.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Points(List<JsonNode> sample, Long before, Long after, Long count, Long min, Long max) {

        public static Points of(Long before, Long after, List<JsonNode> sample) {
            if (before == null || after == null) {
                return new Points(sample, before, after, null, null, null);
            }
            return new Points(sample, before, after, before.equals(after) ? before : null, Math.min(before, after),
                    Math.max(before, after));
        }
    }

    /** With the counts around the create. */
    public Manifest withPoints(Points counted) {
        return new Manifest(format, target, collection, aliases, configuredName, reason, startedAt, qdrant, cluster,
                remarks, counted, completedAt, file, bytes, sha256, checksumSource, qdrantSnapshotName, archive);
    }

    /** A snapshot's manifest, complete: what was written and verified. */
    public Manifest completed(Instant at, SnapshotFileWriter.Written written, boolean qdrantChecksum,
            String snapshotName, JsonNode archiveFacts) {
        return new Manifest(format, target, collection, aliases, configuredName, reason, startedAt, qdrant, cluster,
                remarks, points, at.toString(), written.file().getFileName().toString(), written.bytes(),
                written.sha256(), qdrantChecksum ? "qdrant" : "computed", snapshotName, archiveFacts);
    }

    /** The collection's name, or null. */
    public String collectionName() {
        return collection == null ? null : collection.name();
    }

    /** The collection's {@code points_count} as Qdrant reported it before the create, or null. */
    public Long pointsCount() {
        JsonNode count = collection == null ? null : collection.pointsCount();
        return count != null && count.canConvertToLong() ? count.asLong() : null;
    }

    /** The version of the Qdrant that made it, or null. */
    public String qdrantVersion() {
        return qdrant == null ? null : qdrant.version();
    }
}
