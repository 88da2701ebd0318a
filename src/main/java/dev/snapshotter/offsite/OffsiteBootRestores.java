package dev.snapshotter.offsite;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.context.ManagedExecutor;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.snapshotter.config.QdrantConfig;
import dev.snapshotter.store.SnapshotCatalog;
import dev.snapshotter.store.SnapshotFailure;
import dev.snapshotter.store.SnapshotFileName;

/**
 * The boot restores under way, recorded in the bucket as well as in the directory, for a pod whose directory does not
 * outlive it ({@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false} on an {@code emptyDir}): a pod replaced during its boot's
 * restore (a rollout, an eviction, a drain) leaves Qdrant restoring, or stopped part-way, and its successor's directory
 * knows nothing of it. One object per restore in the folder {@code <key of QDRANT_COLLECTION>/boot-restores/}, named
 * {@code <UTC time>.json}, the directory's record as content; removed once the restore has ended.
 */
@ApplicationScoped
public class OffsiteBootRestores {

    private static final String SUFFIX = ".json";

    private final S3Store store;
    private final QdrantConfig config;
    private final Instance<ObjectMapper> json;
    private final RecordFolder records;

    OffsiteBootRestores(S3Store store, QdrantConfig config, Instance<ObjectMapper> json, ManagedExecutor executor) {
        this.store = store;
        this.config = config;
        this.json = json;
        this.records = new RecordFolder(store, this::folder, RecordFolder.named(SUFFIX), "boot restores under way",
                executor);
    }

    private String folder() {
        return store.keys().bootRestoresFolder(SnapshotFileName.key(config.collection()));
    }

    /** A boot restore the bucket records as under way, and the name of its record. */
    public record UnderWay(String record, SnapshotCatalog.BootRestoreUnderWay mark) {
    }

    /**
     * Whether the bucket records the boot restores too: with a bucket and a directory that does not outlive the pod
     * ({@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false}); the directory's record serves a pod with a volume.
     */
    public boolean enabled() {
        return store.enabled() && !config.snapshot().s3().keepLocal();
    }

    /**
     * The boot restores the bucket records as under way, oldest first; a store that does not answer the listing, or a
     * record it does not give back whole, is said at WARN (none, or that record, counts).
     */
    public List<UnderWay> underWay() {
        return records.readAll(json.get(), SnapshotCatalog.BootRestoreUnderWay.class).entrySet().stream()
                .map(recorded -> new UnderWay(recorded.getKey(), recorded.getValue())).toList();
    }

    /** Records that the boot restore {@code mark} starts; the name of its record. */
    public String starts(SnapshotCatalog.BootRestoreUnderWay mark) throws SnapshotFailure, IOException {
        String name = RecordFolder.name(Instant.parse(mark.startedAt()), SUFFIX);
        records.put(name, json.get().writeValueAsBytes(mark));
        return name;
    }

    /** Removes the record {@code name}. */
    public void ended(String name) throws SnapshotFailure {
        records.remove(name);
    }

    /** Where the record {@code name} is, for a message. */
    public String uri(String name) {
        return store.uri(folder() + name);
    }
}
