package dev.snapshotter.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.snapshotter.store.SnapshotDirectory;
import dev.snapshotter.store.SnapshotFileWriter;

/**
 * The ledger of snapshots this service asked Qdrant for and has not yet seen deleted:
 * {@code QDRANT_SNAPSHOT_DIR/.qdrant-copies.json}. An entry is written (durably) before each create call, and holds
 * the collection, when the create was sent, the names Qdrant listed just before, and the name Qdrant gave once it
 * answered. It goes when Qdrant's copy is deleted, or kept on purpose ({@code QDRANT_SNAPSHOT_DELETE_REMOTE=false}).
 * Whatever stops a run (an error, a timeout, SIGTERM, kill -9) leaves its entry, and the next run reconciles it.
 */
final class QdrantCopies {

    static final String FILE_NAME = SnapshotDirectory.LEDGER_FILE;
    private static final Logger LOG = Logger.getLogger(QdrantCopies.class);

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
    record Entry(String collection, Instant requestedAt, List<String> before, String name, List<String> inDoubt,
            String node) {

        Entry(String collection, Instant requestedAt, List<String> before, String node) {
            this(collection, requestedAt, before, null, null, node);
        }

        Entry named(String snapshotName) {
            return new Entry(collection, requestedAt, before, snapshotName, null, node);
        }

        Entry doubting(List<String> names) {
            return new Entry(collection, requestedAt, before, null, List.copyOf(names), node);
        }

        /** Whether this create went to {@code node} (null: {@code QDRANT_URL}) for {@code collection}. */
        boolean of(String collection, String node) {
            return this.collection.equals(collection) && Objects.equals(this.node, node);
        }
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
        for (JsonNode node : root.path("copies")) {
            try {
                entries.add(new Entry(node.path("collection").asText(), Instant.parse(node.path("requestedAt").asText()),
                        names(node.path("before")), node.hasNonNull("name") ? node.get("name").asText() : null,
                        names(node.path("inDoubt")), node.hasNonNull("node") ? node.get("node").asText() : null));
            } catch (RuntimeException e) {
                LOG.warnf("Dropping an unreadable entry of %s: %s", file, node);
            }
        }
        return entries;
    }

    private static List<String> names(JsonNode array) {
        if (!array.isArray()) {
            return null;
        }
        List<String> names = new ArrayList<>();
        array.forEach(name -> names.add(name.asText()));
        return names;
    }

    /** Writes the ledger all at once (temporary file, fsync, rename, directory fsync). */
    private void save() throws IOException {
        ObjectNode root = json.createObjectNode();
        root.put("format", 1);
        ArrayNode copies = root.putArray("copies");
        for (Entry entry : entries) {
            ObjectNode node = copies.addObject();
            node.put("collection", entry.collection());
            node.put("requestedAt", entry.requestedAt().toString());
            if (entry.before() != null) {
                ArrayNode before = node.putArray("before");
                entry.before().forEach(before::add);
            }
            node.put("name", entry.name());
            if (entry.node() != null) {
                node.put("node", entry.node());
            }
            if (entry.inDoubt() != null) {
                ArrayNode doubtful = node.putArray("inDoubt");
                entry.inDoubt().forEach(doubtful::add);
            }
        }
        writer.writeAtomically(file, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    }
}
