package dev.snapshotter.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Qdrant collection snapshots as Qdrant lays them out (section 6.1 of the cluster and restore reference): per shard
 * its segments, WAL, clocks, {@code replica_state.json} and {@code shard_config.json}, then {@code version.info},
 * {@code config.json}, {@code shard_key_mapping.json} and {@code payload_index.json}, in a GNU tar ending with its two
 * zero blocks; and the ways one can be broken.
 */
public final class SnapshotArchiveBuilder {

    public static final String VECTORS = "{\"size\":4,\"distance\":\"Cosine\"}";

    private int shards = 1;
    private int dataBytes = 4096;
    private String version = "1.19.0";
    private String vectors = VECTORS;
    private final Map<String, byte[]> extra = new LinkedHashMap<>();
    private final Map<String, Byte> extraTypes = new LinkedHashMap<>();
    private String omitted;
    private final java.util.Set<Integer> remoteShards = new java.util.TreeSet<>();
    private String keyMapping = "[]";
    private int cutBytes;
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private int longFileMode = TarArchiveOutputStream.LONGFILE_GNU;

    public static SnapshotArchiveBuilder archive() {
        return new SnapshotArchiveBuilder();
    }

    /** A sound one-shard snapshot whose segment holds {@code dataBytes} of random bytes. */
    public static byte[] snapshot(int dataBytes) {
        return archive().dataBytes(dataBytes).build();
    }

    public SnapshotArchiveBuilder shards(int shards) {
        this.shards = shards;
        return this;
    }

    public SnapshotArchiveBuilder dataBytes(int dataBytes) {
        this.dataBytes = dataBytes;
        return this;
    }

    public SnapshotArchiveBuilder version(String version) {
        this.version = version;
        return this;
    }

    public SnapshotArchiveBuilder vectors(String vectors) {
        this.vectors = vectors;
        return this;
    }

    /** Leaves this entry out. */
    public SnapshotArchiveBuilder without(String path) {
        this.omitted = path;
        return this;
    }

    /** Adds an entry of a tar type ({@link TarConstants}). */
    public SnapshotArchiveBuilder with(String path, byte type) {
        extra.put(path, new byte[0]);
        extraTypes.put(path, type);
        return this;
    }

    /** Adds a regular file to the first shard's part of the archive (before its state files). */
    public SnapshotArchiveBuilder withFile(String path, byte[] content) {
        files.put(path, content);
        return this;
    }

    /** Long names as POSIX PAX headers instead of GNU long-name entries. */
    public SnapshotArchiveBuilder paxNames() {
        this.longFileMode = TarArchiveOutputStream.LONGFILE_POSIX;
        return this;
    }

    /** This shard lives on another peer: only its two state files, {@code is_local: false}. */
    public SnapshotArchiveBuilder remoteShard(int id) {
        this.remoteShards.add(id);
        return this;
    }

    /** Custom sharding: {@code shard_key_mapping.json} holds this (such as {@code [{"key":"a","shard_ids":[0]}]}). */
    public SnapshotArchiveBuilder customSharding(String mapping) {
        this.keyMapping = mapping;
        return this;
    }

    /** Cuts this many bytes off the end (a truncated download). */
    public SnapshotArchiveBuilder cut(int bytes) {
        this.cutBytes = bytes;
        return this;
    }

    public byte[] build() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(dataBytes * shards + 16_384);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, 512)) {
            tar.setLongFileMode(longFileMode);
            for (int id = 0; id < shards; id++) {
                boolean local = !remoteShards.contains(id);
                if (local) {
                    directory(tar, id + "/segments/");
                    file(tar, id + "/segments/5f6c2a43-b9b1-4ec7-9a0e-2c1f0c58d4e1.tar",
                            TestData.randomBytes(dataBytes + id));
                    file(tar, id + "/newest_clocks.json", "{\"clocks\":[]}");
                    file(tar, id + "/oldest_clocks.json", "{\"clocks\":[]}");
                    directory(tar, id + "/wal/");
                    file(tar, id + "/wal/first-index", "{\"ack_index\":0}");
                    file(tar, id + "/wal/open-1", new byte[1024]);
                    file(tar, id + "/applied_seq.json", "{\"op_num\":0}");
                    if (id == 0) {
                        for (Map.Entry<String, byte[]> extraFile : files.entrySet()) {
                            file(tar, extraFile.getKey(), extraFile.getValue());
                        }
                    }
                }
                file(tar, id + "/replica_state.json", "{\"is_local\":" + local
                        + ",\"this_peer_id\":7906894357956606,\"peers\":{\"7906894357956606\":\"Active\"}}");
                file(tar, id + "/shard_config.json", "{\"type\":\"ReplicaSet\"}");
            }
            for (Map.Entry<String, byte[]> entry : extra.entrySet()) {
                TarArchiveEntry special = new TarArchiveEntry(entry.getKey(), extraTypes.get(entry.getKey()));
                if (extraTypes.get(entry.getKey()) == TarConstants.LF_SYMLINK) {
                    special.setLinkName("/etc/passwd");
                }
                tar.putArchiveEntry(special);
                tar.closeArchiveEntry();
            }
            file(tar, "version.info", version);
            file(tar, "config.json", "{\"params\":{\"vectors\":" + vectors + ",\"shard_number\":" + shards
                    + (keyMapping.equals("[]") ? "" : ",\"sharding_method\":\"custom\"")
                    + ",\"replication_factor\":1,\"write_consistency_factor\":1,\"on_disk_payload\":true},"
                    + "\"hnsw_config\":{\"m\":16},\"optimizer_config\":{},\"wal_config\":{},"
                    + "\"quantization_config\":null,\"uuid\":\"7d1e0a64-0a2b-4a7e-8b3e-3c4a1f5a2b9c\"}");
            file(tar, "shard_key_mapping.json", keyMapping);
            file(tar, "payload_index.json", "{\"schema\":{}}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] archive = bytes.toByteArray();
        return cutBytes > 0 ? Arrays.copyOf(archive, archive.length - cutBytes) : archive;
    }

    private void directory(TarArchiveOutputStream tar, String path) throws IOException {
        if (!path.equals(omitted)) {
            TarArchiveEntry entry = new TarArchiveEntry(path);
            entry.setModTime(0);
            tar.putArchiveEntry(entry);
            tar.closeArchiveEntry();
        }
    }

    private void file(TarArchiveOutputStream tar, String path, String content) throws IOException {
        file(tar, path, content.getBytes(StandardCharsets.UTF_8));
    }

    private void file(TarArchiveOutputStream tar, String path, byte[] content) throws IOException {
        if (path.equals(omitted)) {
            return;
        }
        TarArchiveEntry entry = new TarArchiveEntry(path);
        entry.setSize(content.length);
        entry.setModTime(0);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }
}
