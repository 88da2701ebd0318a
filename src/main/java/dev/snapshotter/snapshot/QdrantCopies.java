package dev.snapshotter.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.snapshotter.qdrant.QdrantClient;
import dev.snapshotter.qdrant.QdrantException;
import dev.snapshotter.qdrant.SnapshotDescription;
import dev.snapshotter.qdrant.SnapshotNames;
import dev.snapshotter.snapshot.SnapshotTarget.Progress;
import dev.snapshotter.store.SnapshotDirectory;
import dev.snapshotter.store.SnapshotFileName;
import dev.snapshotter.store.SnapshotFileWriter;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The ledger of snapshots this service asked Qdrant for and has not yet seen deleted:
 * {@code QDRANT_SNAPSHOT_DIR/.qdrant-copies.json}. An entry is written (durably) before each create call, and holds
 * the collection, when the create was sent, the names Qdrant listed just before, and the name Qdrant gave once it
 * answered. It goes when Qdrant's copy is deleted, or kept on purpose ({@code QDRANT_SNAPSHOT_DELETE_REMOTE=false}).
 * Whatever stops a run (an error, a timeout, SIGTERM, kill -9) leaves its entry, and the next run reconciles it
 * ({@link #reconcile}: the rules for what of Qdrant's copies is ours to delete live here, with the ledger). The copy
 * Qdrant keeps of a restore's upload, named as ours ({@link SnapshotFileName#uploadName}), is ours too.
 */
final class QdrantCopies {

    static final String FILE_NAME = SnapshotDirectory.LEDGER_FILE;
    private static final Logger LOG = Logger.getLogger(QdrantCopies.class);
    /** How far Qdrant's name time of a snapshot may lie from when our create was sent (clocks, rounding). */
    static final Duration NAME_TIME_TOLERANCE = Duration.ofSeconds(10);

    private final Path file;
    private final SnapshotFileWriter writer;
    private final ObjectMapper json;
    private final List<Entry> entries;

    /** Reads the ledger once, for one run: runs are one at a time, so nothing else changes it meanwhile. */
    QdrantCopies(Path directory, SnapshotFileWriter writer, ObjectMapper json) {
        this.file = directory.resolve(FILE_NAME);
        this.writer = writer;
        this.json = json;
        this.entries = load();
    }

    /**
     * A create this service sent.
     *
     * @param before the collection's snapshot names just before the create, or null when they could not be listed
     * @param name Qdrant's name for the snapshot, or null while (or when) it is not known
     * @param inDoubt for a create whose answer never came, the snapshots Qdrant listed that it may have made but
     *        that cannot be told apart from another client's: left on Qdrant, named in a WARN, counted, and kept here
     *        until they are gone; null while the create is not yet judged
     * @param node the cluster node the create went to ({@code QDRANT_CLUSTER_NODES}), or null for {@code QDRANT_URL}
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    record Entry(String collection, Instant requestedAt, @JsonInclude(JsonInclude.Include.NON_NULL) List<String> before,
            String name, @JsonInclude(JsonInclude.Include.NON_NULL) String node,
            @JsonInclude(JsonInclude.Include.NON_NULL) List<String> inDoubt) {

        Entry(String collection, Instant requestedAt, List<String> before, String node) {
            this(collection, requestedAt, before, null, node, null);
        }

        Entry named(String snapshotName) {
            return new Entry(collection, requestedAt, before, snapshotName, node, null);
        }

        Entry doubting(List<String> names) {
            return new Entry(collection, requestedAt, before, null, node, List.copyOf(names));
        }

        /** Whether this create went to {@code node} (null: {@code QDRANT_URL}) for {@code collection}. */
        boolean of(String collection, String node) {
            return this.collection.equals(collection) && Objects.equals(this.node, node);
        }
    }

    /**
     * What a reconcile found on one node.
     *
     * @param listed the names Qdrant lists now, or null when it could not list them
     * @param inDoubt how many copies the ledger holds in doubt (for the collection, those Qdrant still lists)
     */
    record Reconciled(List<String> listed, int inDoubt) {
    }

    /**
     * Deletes from Qdrant the copies earlier runs of this collection made on {@code node} and did not keep, and the
     * copies it keeps of restores' uploads there (a restore that did not end, or could not delete it), and returns
     * the names Qdrant lists now (null when it could not list them) with the number of copies in doubt. Never fails
     * the run: what cannot be done now stays in the ledger for the next run.
     * <p>
     * A copy Qdrant named in its answer is ours by name. A create whose answer never came (a timeout, a crash) may
     * account for at most one snapshot, and only without doubt: the only new name of the collection whose time lies
     * in that create's window, claimed by no other entry. When two or more such names exist (another client
     * snapshotting at the same moment), none is deleted: each is named in a WARN, kept in the ledger while Qdrant
     * lists it, and counted in {@code snapshotter_qdrant_copies_in_doubt}.
     */
    Reconciled reconcile(QdrantClient client, String node, String collection, Duration callTimeout,
            Duration createTimeout, Progress progress, BooleanSupplier cancelled) {
        List<Entry> entries = entries();
        List<String> listed;
        try {
            listed = new ArrayList<>(client.listSnapshots(collection, callTimeout, cancelled).stream()
                    .map(SnapshotDescription::name).toList());
        } catch (QdrantException e) {
            progress.remark("Qdrant's snapshots could not be listed, so copies of earlier runs were not reconciled: "
                    + e.getMessage());
            return new Reconciled(null, inDoubt(entries, null, collection, node));
        }
        for (String upload : listed.stream().filter(SnapshotFileName::isUploadName).toList()) {
            try {
                client.deleteSnapshot(collection, upload, callTimeout, cancelled);
                listed.remove(upload);
                progress.orphanRemoved(upload);
                LOG.infof("Deleted %s of collection `%s`, the copy Qdrant kept of a restore's upload (the restore did "
                        + "not end, or could not delete it)", upload, collection);
            } catch (QdrantException e) {
                progress.remark("The copy Qdrant keeps of a restore's upload, " + upload + ", could not be deleted: "
                        + e.getMessage());
            }
        }
        Instant now = Instant.now();
        Set<String> claimed = new HashSet<>();
        for (Entry entry : entries) {
            if (entry.name() != null) {
                claimed.add(entry.name());
            }
            if (entry.inDoubt() != null) {
                claimed.addAll(entry.inDoubt());
            }
        }
        Map<Entry, List<String>> candidates = new HashMap<>();
        Map<String, Integer> wanted = new HashMap<>();
        for (Entry entry : entries) {
            if (entry.of(collection, node) && entry.name() == null && entry.inDoubt() == null) {
                List<String> names = listed.stream().filter(n -> !claimed.contains(n) && inWindow(entry, n)).toList();
                candidates.put(entry, names);
                names.forEach(n -> wanted.merge(n, 1, Integer::sum));
            }
        }
        List<Entry> kept = new ArrayList<>();
        boolean changed = false;
        for (Entry entry : entries) {
            if (!entry.of(collection, node)) {
                continue;
            }
            if (entry.inDoubt() != null) {
                List<String> still = entry.inDoubt().stream().filter(listed::contains).toList();
                if (!still.isEmpty()) {
                    kept.add(still.size() == entry.inDoubt().size() ? entry : entry.doubting(still));
                }
                changed |= still.size() != entry.inDoubt().size();
                continue;
            }
            List<String> orphans;
            if (entry.name() != null) {
                orphans = listed.stream().filter(entry.name()::equals).toList();
            } else {
                List<String> names = candidates.get(entry);
                boolean alone = names.size() == 1 && wanted.get(names.get(0)) == 1;
                if (!names.isEmpty() && (entry.before() == null || !alone)) {
                    String doubt = "Qdrant's snapshots " + String.join(", ", names) + " of collection `" + collection
                            + "` were made within " + NAME_TIME_TOLERANCE.toSeconds() + "s of a create of ours sent at "
                            + entry.requestedAt() + " whose answer never came; another client may have made some of "
                            + "them, so none is deleted: delete ours by hand";
                    LOG.warn(doubt);
                    progress.remark(doubt);
                    kept.add(entry.doubting(names));
                    changed = true;
                    continue;
                }
                orphans = names;
            }
            boolean failed = false;
            for (String orphan : orphans) {
                try {
                    client.deleteSnapshot(collection, orphan, callTimeout, cancelled);
                    listed.remove(orphan);
                    progress.orphanRemoved(orphan);
                    LOG.infof("Deleted Qdrant's copy %s of collection `%s`, left by a run on %s that did not keep it",
                            orphan, collection, entry.requestedAt());
                } catch (QdrantException e) {
                    failed = true;
                    progress.remark("Qdrant's copy " + orphan + " left by an earlier run could not be deleted: "
                            + e.getMessage());
                }
            }
            // an unnamed create may still be running on Qdrant's side until its timeout has passed
            boolean mayStillAppear = entry.name() == null && orphans.isEmpty() && entry.requestedAt()
                    .plus(createTimeout).plus(NAME_TIME_TOLERANCE).isAfter(now);
            if (failed || mayStillAppear) {
                kept.add(entry);
            } else {
                changed = true;
            }
        }
        if (changed) {
            update(all -> {
                all.removeIf(entry -> entry.of(collection, node));
                all.addAll(kept);
            });
        }
        return new Reconciled(listed, inDoubt(entries(), listed, collection, node));
    }

    /** How many copies the ledger holds in doubt; for {@code collection}, only those Qdrant still lists. */
    private static int inDoubt(List<Entry> entries, List<String> listed, String collection, String node) {
        return entries.stream().filter(e -> e.inDoubt() != null)
                .mapToInt(e -> listed == null || !e.of(collection, node) ? e.inDoubt().size()
                        : (int) e.inDoubt().stream().filter(listed::contains).count())
                .sum();
    }

    /**
     * Whether {@code name} may be the snapshot an unanswered create made: it was not listed before that create, it is
     * named after the collection, and its name time (Qdrant's UTC clock, to the second) lies within
     * {@link #NAME_TIME_TOLERANCE} of the create being sent.
     */
    private static boolean inWindow(Entry entry, String name) {
        if ((entry.before() != null && entry.before().contains(name)) || !name.startsWith(entry.collection() + "-")) {
            return false;
        }
        Optional<Instant> created = SnapshotNames.createdAt(name);
        if (created.isEmpty()) {
            return false;
        }
        Instant named = created.get();
        Instant sent = entry.requestedAt();
        return !named.isBefore(sent.minus(NAME_TIME_TOLERANCE)) && named.isBefore(sent.plus(NAME_TIME_TOLERANCE));
    }

    /** The entries as they stand, read only. */
    synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** Changes the entries and writes the ledger; a ledger that cannot be written is a warning, never a failed run. */
    synchronized void update(Consumer<List<Entry>> change) {
        change.accept(entries);
        try {
            save();
        } catch (IOException e) {
            LOG.warnf("Could not update the ledger of Qdrant's copies %s: %s", file, SnapshotFileWriter.reason(e));
        }
    }

    /** The ledger file: its format, then every create not yet seen deleted. */
    @RegisterForReflection
    record Ledger(int format, List<Entry> copies) {
    }

    private List<Entry> load() {
        JsonNode root;
        try (InputStream in = Files.newInputStream(file)) {
            root = json.readTree(in);
        } catch (NoSuchFileException e) {
            return new ArrayList<>();
        } catch (IOException | RuntimeException e) {
            LOG.warnf("The ledger of Qdrant's copies %s is unreadable (%s); starting a new one", file, e.getMessage());
            return new ArrayList<>();
        }
        List<Entry> entries = new ArrayList<>();
        for (JsonNode node : root == null ? List.<JsonNode> of() : root.path("copies")) {
            try { // one entry at a time: an unreadable one costs only itself
                Entry entry = json.treeToValue(node, Entry.class);
                if (entry == null || entry.collection() == null || entry.requestedAt() == null) {
                    throw new IllegalArgumentException("no collection or time");
                }
                entries.add(entry);
            } catch (IOException | RuntimeException e) {
                LOG.warnf("Dropping an unreadable entry of %s: %s", file, node);
            }
        }
        return entries;
    }

    /** Writes the ledger all at once (temporary file, fsync, rename, directory fsync). */
    private void save() throws IOException {
        writer.writeAtomically(file, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(new Ledger(1, entries)));
    }
}
