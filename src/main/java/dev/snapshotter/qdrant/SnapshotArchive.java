package dev.snapshotter.qdrant;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.snapshotter.store.ContentCheck;

/**
 * The offline check of a Qdrant collection snapshot, read once as a stream: an uncompressed tar whose headers all
 * parse (with their checksums), holding only directories, regular and sparse files (what Qdrant's unpacker takes), no
 * absolute path and no {@code ..}, ending with its two end-of-archive blocks (a cut stream has none), with
 * {@code config.json} and {@code version.info}, and for every shard id the config implies ({@code 0..shard_number},
 * or the ids of {@code shard_key_mapping.json} under custom sharding) its {@code shard_config.json} and
 * {@code replica_state.json}. Qdrant writes {@code config.json} and {@code version.info} near the end, so what the
 * shards hold is gathered on the way and judged at the end. Each check reads one archive: make one per snapshot.
 */
public final class SnapshotArchive implements ContentCheck {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SHARD_FILE = Pattern.compile("(\\d+)/(.*)");
    /** Small files read whole; anything larger is not a Qdrant metadata file. */
    private static final int METADATA_LIMIT = 4 << 20;

    /**
     * What the archive holds, for the manifest and for a restore's preflight.
     *
     * @param qdrantVersion the Qdrant version that wrote it ({@code version.info})
     * @param shardNumber {@code params.shard_number}
     * @param shards the shard ids the config implies
     * @param shardsWithData the shard ids whose data is inside (local to the peer that took it, WAL and segments)
     * @param vectors {@code params.vectors}, as Qdrant wrote it
     * @param sparseVectors {@code params.sparse_vectors}, or null
     * @param entries how many tar entries it has
     * @param customSharded whether its shards are keyed by the user ({@code sharding_method: custom}), recorded only
     *        when true
     */
    public record Facts(String qdrantVersion, int shardNumber, List<Integer> shards, List<Integer> shardsWithData,
            JsonNode vectors, JsonNode sparseVectors, long entries, boolean customSharded) {

        /** The facts as the manifest records them. */
        public ObjectNode toJson() {
            ObjectNode node = JsonNodeFactory.instance.objectNode();
            node.put("qdrantVersion", qdrantVersion);
            node.put("shardNumber", shardNumber);
            shards.forEach(node.putArray("shards")::add);
            shardsWithData.forEach(node.putArray("shardsWithData")::add);
            node.set("vectors", vectors);
            if (sparseVectors != null) {
                node.set("sparseVectors", sparseVectors);
            }
            node.put("entries", entries);
            if (customSharded) {
                node.put("customSharded", true);
            }
            return node;
        }

        /** The facts a manifest recorded, or null when it has none (taken before the check existed). */
        public static Facts fromJson(JsonNode node) {
            if (node == null || !node.hasNonNull("qdrantVersion") || !node.has("vectors")) {
                return null;
            }
            List<Integer> shards = new ArrayList<>();
            node.path("shards").forEach(id -> shards.add(id.asInt()));
            List<Integer> withData = new ArrayList<>();
            node.path("shardsWithData").forEach(id -> withData.add(id.asInt()));
            JsonNode sparse = node.get("sparseVectors");
            return new Facts(node.get("qdrantVersion").asText(), node.path("shardNumber").asInt(), List.copyOf(shards),
                    List.copyOf(withData), node.get("vectors"), sparse == null || sparse.isNull() ? null : sparse,
                    node.path("entries").asLong(), node.path("customSharded").asBoolean(false));
        }
    }

    private static final class Shard {
        boolean config;
        JsonNode replicaState;
        boolean wal;
        boolean segments;
    }

    private final Map<Integer, Shard> shards = new TreeMap<>();
    private JsonNode config;
    private JsonNode keyMapping;
    private String version;
    private long entries;
    private volatile Facts facts;

    /** What the last {@link #read} found in a sound archive, or null before, or when it was rejected. */
    public Facts facts() {
        return facts;
    }

    @Override
    public void read(InputStream content) throws IOException, Rejected {
        Tar tar = new Tar(new Gate(content));
        try {
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null;) {
                entries++;
                inspect(tar, entry);
            }
        } catch (IOException | IllegalArgumentException e) {
            if (e instanceof InterruptedIOException interrupted) {
                throw interrupted;
            }
            throw rejected("a tar header does not parse after " + entries + " entries (" + e.getMessage() + ")", e);
        }
        if (tar.cut || tar.endBlocks < 2) {
            throw rejected("it ends without the tar end-of-archive blocks after " + entries
                    + " entries (a truncated download or file)", null);
        }
        facts = judge();
    }

    private void inspect(Tar tar, TarArchiveEntry entry) throws IOException, Rejected {
        String name = entry.getName();
        if (!entry.isCheckSumOK()) {
            throw rejected("the header of `" + name + "` fails its checksum", null);
        }
        byte type = entry.getLinkFlag();
        if (type != TarConstants.LF_NORMAL && type != TarConstants.LF_OLDNORM && type != TarConstants.LF_DIR
                && type != TarConstants.LF_GNUTYPE_SPARSE) {
            throw rejected("`" + name + "` is an entry of a type Qdrant refuses to unpack (only directories, regular "
                    + "and sparse files are allowed)", null);
        }
        if (name.startsWith("/") || name.contains("\\") || Arrays.asList(name.split("/")).contains("..")) {
            throw rejected("`" + name + "` is an absolute path or leaves the archive with `..`", null);
        }
        String path = name.startsWith("./") ? name.substring(2) : name;
        switch (path) {
            case "config.json" -> config = readJson(tar, entry, path);
            case "shard_key_mapping.json" -> keyMapping = readJson(tar, entry, path);
            case "version.info" -> version = new String(readSmall(tar, entry, path), StandardCharsets.UTF_8)
                    .strip();
            default -> {
                Matcher shardFile = SHARD_FILE.matcher(path);
                if (shardFile.matches()) {
                    Shard shard = shards.computeIfAbsent(Integer.valueOf(shardFile.group(1)), id -> new Shard());
                    String inShard = shardFile.group(2);
                    if (inShard.equals("shard_config.json")) {
                        shard.config = true;
                    } else if (inShard.equals("replica_state.json")) {
                        shard.replicaState = readJson(tar, entry, path);
                    } else if (inShard.startsWith("wal/")) {
                        shard.wal = true;
                    } else if (inShard.startsWith("segments/")) {
                        shard.segments = true;
                    }
                }
            }
        }
    }

    private Facts judge() throws Rejected {
        if (config == null) {
            throw rejected("it has no `config.json` (Qdrant cannot restore it)", null);
        }
        if (version == null || version.isEmpty()) {
            throw rejected("it has no `version.info` (Qdrant writes one in every collection snapshot)", null);
        }
        JsonNode params = config.path("params");
        int shardNumber = params.path("shard_number").asInt(1);
        Set<Integer> expected = new TreeSet<>();
        boolean custom = "custom".equals(params.path("sharding_method").asText(null));
        if (custom && keyMapping != null) {
            keyMapping.forEach(key -> key.path("shard_ids").forEach(id -> expected.add(id.asInt())));
        } else {
            for (int id = 0; id < shardNumber; id++) {
                expected.add(id);
            }
        }
        List<Integer> withData = new ArrayList<>();
        for (int id : expected) {
            Shard shard = shards.get(id);
            if (shard == null || !shard.config) {
                throw rejected("shard " + id + " has no `" + id + "/shard_config.json` (Qdrant cannot restore it)",
                        null);
            }
            if (shard.replicaState == null) {
                throw rejected("shard " + id + " has no `" + id + "/replica_state.json` (Qdrant cannot restore it)",
                        null);
            }
            if (shard.replicaState.path("is_local").asBoolean(false) && shard.wal && shard.segments) {
                withData.add(id);
            }
        }
        JsonNode sparse = params.get("sparse_vectors");
        return new Facts(version, shardNumber, List.copyOf(expected), List.copyOf(withData),
                params.path("vectors"), sparse == null || sparse.isNull() ? null : sparse, entries, custom);
    }

    private static JsonNode readJson(Tar tar, TarArchiveEntry entry, String path)
            throws IOException, Rejected {
        try {
            return JSON.readTree(readSmall(tar, entry, path));
        } catch (JacksonException e) {
            throw rejected("`" + path + "` is not JSON (" + e.getOriginalMessage() + ")", e);
        }
    }

    private static byte[] readSmall(Tar tar, TarArchiveEntry entry, String path)
            throws IOException, Rejected {
        if (entry.getSize() > METADATA_LIMIT) {
            throw rejected("`" + path + "` has " + entry.getSize() + " bytes, too many for Qdrant's metadata file",
                    null);
        }
        tar.content = true;
        try {
            return tar.readAllBytes();
        } finally {
            tar.content = false;
            tar.left = 0; // read to its end
        }
    }

    private static Rejected rejected(String why, Throwable cause) {
        return new Rejected("The snapshot is not a sound Qdrant snapshot archive: " + why, cause);
    }

    /** The stream under the tar reader, which can move past bytes without copying them. */
    private static final class Gate extends FilterInputStream {

        Gate(InputStream in) {
            super(in);
        }

        /** Moves past up to {@code n} bytes without copying them; 0 or less only at the end of the stream. */
        long passOver(long n) throws IOException {
            long skipped = in.skip(n);
            if (skipped > 0) {
                return skipped;
            }
            return in.read() < 0 ? -1 : 1; // skip says nothing of the end: a read does
        }
    }

    /**
     * The tar reader, told apart from its end: Commons Compress reads a stream that stops where a header is due as the
     * end of the archive, so a truncated archive would pass. A real end is two blocks of zeros.
     */
    private static final class Tar extends TarArchiveInputStream {

        private final Gate gate;
        boolean cut;
        int endBlocks;
        /** Whether the entry's bytes are wanted (a metadata file); otherwise they are passed over uncopied. */
        boolean content;
        /** The current entry, and how many of its data bytes are still ahead. */
        private TarArchiveEntry current;
        long left;

        Tar(Gate in) {
            super(in);
            this.gate = in;
        }

        @Override
        public TarArchiveEntry getNextEntry() throws IOException {
            TarArchiveEntry next = super.getNextEntry();
            current = next;
            left = next == null || next.isSparse() ? 0 : next.getSize();
            return next;
        }

        /**
         * Entry data comes through here, headers do not. The data of an entry nobody reads (a segment, which the tar
         * reader skips on its way to the next header, 8 KiB at a time) is passed over in the stream's own steps (a
         * whole 1 MiB buffer of the writer's at once), without being copied; anything else (a metadata file, a long
         * name, a sparse entry) is read as the tar reader reads it.
         */
        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (!content && left > 0) {
                while (left > 0) {
                    long skipped = gate.passOver(left);
                    if (skipped <= 0) {
                        break; // the stream ended inside the entry: the next header read finds it cut
                    }
                    left -= skipped;
                }
                left = 0;
                return -1;
            }
            return super.read(buffer, offset, length);
        }

        @Override
        protected boolean isEOFRecord(byte[] record) {
            boolean end = super.isEOFRecord(record);
            if (record == null) {
                cut = true;
            } else if (end) {
                endBlocks++;
            }
            return end;
        }
    }
}
