package dev.snapshotter.snapshot;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.snapshotter.config.BoundedDuration;
import dev.snapshotter.config.QdrantConfig;
import dev.snapshotter.qdrant.QdrantClient;
import dev.snapshotter.qdrant.QdrantException;
import dev.snapshotter.qdrant.SnapshotDescription;
import dev.snapshotter.snapshot.SnapshotFailure.Kind;

/**
 * Backs up one Qdrant collection: resolve the alias, remove what earlier runs left on Qdrant, create the snapshot,
 * stream it to a verified file with its manifest, delete Qdrant's server-side copy, then apply retention. Qdrant's
 * copy is deleted once ours is verified, or at once when nothing could be downloaded for want of space; any other
 * failure leaves it for the next run, which deletes it (see {@link QdrantCopies}).
 */
@ApplicationScoped
public class QdrantSnapshotTarget implements SnapshotTarget {

    /** This target's name in reports, logs and metrics. */
    public static final String NAME = "qdrant";
    private static final Logger LOG = Logger.getLogger(QdrantSnapshotTarget.class);
    /** Deadline of the quick calls (alias list, existence, info, list, delete) and of one readiness probe. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    /** A probe shorter than this says nothing about Qdrant, only about the clock. */
    private static final Duration MIN_PROBE = Duration.ofMillis(100);
    /**
     * How far a Qdrant snapshot's name time may lie from the moment our create was sent, for a create whose answer
     * never came (timeout, crash): Qdrant names the snapshot as it starts it, so a few seconds cover clock skew.
     */
    static final Duration NAME_TIME_TOLERANCE = Duration.ofSeconds(10);
    /** Qdrant's snapshot names: {@code <collection>-<peer id>-<UTC time to the second>.snapshot}. */
    private static final Pattern QDRANT_NAME = Pattern.compile(".+-\\d+-(\\d{4}-\\d\\d-\\d\\d-\\d\\d-\\d\\d-\\d\\d)\\.snapshot");
    private static final DateTimeFormatter QDRANT_NAME_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd-HH-mm-ss");

    private final QdrantClient qdrant;
    private final QdrantConfig config;
    private final SnapshotDirectory directory;
    private final SnapshotCatalog catalog;
    private final Instance<ObjectMapper> json;

    QdrantSnapshotTarget(QdrantClient qdrant, QdrantConfig config, SnapshotDirectory directory,
            SnapshotCatalog catalog, Instance<ObjectMapper> json) {
        this.qdrant = qdrant;
        this.config = config;
        this.directory = directory;
        this.catalog = catalog;
        this.json = json;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void awaitAvailable(Duration timeout) throws SnapshotFailure {
        long deadline = System.nanoTime() + timeout.toNanos();
        long backoffMillis = 100;
        QdrantException last;
        while (true) {
            long remaining = deadline - System.nanoTime();
            Duration probe = Duration.ofNanos(Math.max(MIN_PROBE.toNanos(), Math.min(PROBE_TIMEOUT.toNanos(), remaining)));
            try {
                qdrant.ready(probe).await().indefinitely();
                return;
            } catch (QdrantException e) {
                last = e;
                LOG.debugf("Waiting for Qdrant: %s", e.getMessage());
            }
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left < MIN_PROBE.toMillis()) {
                break;
            }
            sleep(Math.min(backoffMillis, left - MIN_PROBE.toMillis()));
            backoffMillis = Math.min(backoffMillis * 2, 2000);
        }
        throw new SnapshotFailure(Kind.UNREACHABLE, "Qdrant at " + qdrant.url() + " did not become ready within "
                + BoundedDuration.describe(timeout) + " (QDRANT_WAIT_TIMEOUT); last: " + last.getMessage(), last);
    }

    @Override
    public Outcome snapshot(RunContext run) throws SnapshotFailure {
        QdrantClient.Collection collection;
        try {
            collection = qdrant.resolveCollection(config.collection(), CALL_TIMEOUT);
        } catch (QdrantException e) {
            throw failure(e);
        }
        String name = collection.name();
        SnapshotFileWriter writer = directory.writer();
        try {
            writer.requireWritable();
        } catch (SnapshotFailure e) {
            throw e.at(name, null);
        }
        List<String> remarks = new ArrayList<>();
        QdrantCopies copies = new QdrantCopies(directory.path(), writer, json.get());
        List<String> orphans = new ArrayList<>();
        List<String> present = reconcile(copies, name, orphans, remarks);

        ObjectNode manifest = manifestBeforeCreate(run, collection, remarks);
        QdrantCopies.Entry pending = new QdrantCopies.Entry(name, Instant.now(), present, null);
        copies.update(entries -> entries.add(pending));

        SnapshotDescription description;
        try {
            description = qdrant.createSnapshot(name, config.snapshot().timeout());
        } catch (QdrantException e) {
            if (e.kind() == QdrantException.Kind.REJECTED) {
                copies.update(entries -> entries.remove(pending)); // Qdrant refused: nothing was made
            }
            if (e.kind() == QdrantException.Kind.TIMEOUT) {
                throw new SnapshotFailure(Kind.UPSTREAM_TIMEOUT, e.getMessage() + " (QDRANT_SNAPSHOT_TIMEOUT); Qdrant "
                        + "may still finish that snapshot: the next run deletes it", e).at(name, null).removed(orphans);
            }
            throw failure(e).at(name, null).removed(orphans);
        }
        String snapshotName = description.name();
        QdrantCopies.Entry named = pending.named(snapshotName);
        copies.update(entries -> {
            entries.remove(pending);
            entries.add(named);
        });

        SnapshotFileWriter.Written written;
        try {
            try {
                if (description.size() != null) {
                    writer.requireSpace(description.size());
                }
            } catch (SnapshotFailure e) {
                throw nothingDownloaded(e, copies, named, orphans);
            }
            try (QdrantClient.Download download = qdrant.download(name, snapshotName, run.cancellation()::cancelled)) {
                if (description.size() == null && download.contentLength() >= 0) {
                    try {
                        writer.requireSpace(download.contentLength());
                    } catch (SnapshotFailure e) {
                        throw nothingDownloaded(e, copies, named, orphans);
                    }
                }
                written = writer.write(download.body(), SnapshotFileWriter.finalName(run.startedAt(), name),
                        new SnapshotFileWriter.Expected(description.size(), download.contentLength(),
                                blankToNull(description.checksum())));
            }
        } catch (QdrantException e) {
            throw failure(e).at(name, snapshotName).removed(orphans);
        } catch (SnapshotFailure e) {
            throw e.snapshotName() == null && e.collection() == null ? e.at(name, snapshotName).removed(orphans) : e;
        }

        boolean qdrantChecksum = blankToNull(description.checksum()) != null;
        if (!qdrantChecksum) {
            remarks.add("Qdrant gave no checksum (S3 storage or an older Qdrant): only the size was verified; "
                    + "the SHA-256 was computed from the downloaded bytes");
            LOG.warnf("Qdrant gave no checksum for snapshot %s of collection `%s`; the size was verified and the "
                    + "SHA-256 computed from the downloaded bytes", snapshotName, name);
        }
        boolean remoteDeleted = false;
        if (config.snapshot().deleteRemote()) {
            try {
                qdrant.deleteSnapshot(name, snapshotName, CALL_TIMEOUT);
                remoteDeleted = true;
                copies.update(entries -> entries.remove(named));
            } catch (QdrantException e) {
                remarks.add("Qdrant's copy " + snapshotName + " was kept on the server (the next run deletes it): "
                        + e.getMessage());
                LOG.warnf("The local snapshot is complete, but Qdrant's copy %s could not be deleted: %s", snapshotName,
                        e.getMessage());
            }
        } else {
            copies.update(entries -> entries.remove(named)); // kept on purpose: not ours to reconcile
            remarks.add("Qdrant's copy " + snapshotName + " was kept on the server (QDRANT_SNAPSHOT_DELETE_REMOTE=false)");
        }

        manifest.put("completedAt", Instant.now().toString());
        manifest.put("file", written.file().getFileName().toString());
        manifest.put("bytes", written.bytes());
        manifest.put("sha256", written.sha256());
        manifest.put("checksumSource", qdrantChecksum ? "qdrant" : "computed");
        manifest.put("qdrantSnapshotName", snapshotName);
        writeManifest(writer, written.file(), manifest, remarks);

        Retention.Pruned pruned = new Retention(config.snapshot().keepLast(), config.snapshot().keepWithin())
                .prune(catalog.list(), name, written.file(), Instant.now());
        remarks.addAll(pruned.remarks());
        return new Outcome(name, snapshotName, written.file().toString(), written.bytes(), written.sha256(),
                remoteDeleted, remarks.isEmpty() ? null : String.join("; ", remarks), pruned.files(), orphans);
    }

    /**
     * Deletes from Qdrant the copies earlier runs of this collection made and did not keep (see {@link QdrantCopies}),
     * and returns the names Qdrant lists now (null when it could not list them). Never fails the run: what cannot be
     * done now stays in the ledger for the next run.
     */
    private List<String> reconcile(QdrantCopies copies, String collection, List<String> removed,
            List<String> remarks) {
        List<QdrantCopies.Entry> entries = copies.entries();
        List<String> listed;
        try {
            listed = new ArrayList<>(qdrant.listSnapshots(collection, CALL_TIMEOUT).stream()
                    .map(SnapshotDescription::name).toList());
        } catch (QdrantException e) {
            remarks.add("Qdrant's snapshots could not be listed, so copies of earlier runs were not reconciled: "
                    + e.getMessage());
            return null;
        }
        List<QdrantCopies.Entry> kept = new ArrayList<>();
        Set<String> claimed = new HashSet<>();
        entries.stream().map(QdrantCopies.Entry::name).filter(n -> n != null).forEach(claimed::add);
        boolean changed = false;
        for (QdrantCopies.Entry entry : entries) {
            if (!entry.collection().equals(collection)) {
                kept.add(entry);
                continue;
            }
            List<String> orphans = entry.name() != null
                    ? listed.stream().filter(entry.name()::equals).toList()
                    : listed.stream().filter(n -> !claimed.contains(n) && madeBy(entry, n)).toList();
            boolean failed = false;
            for (String orphan : orphans) {
                try {
                    qdrant.deleteSnapshot(collection, orphan, CALL_TIMEOUT);
                    listed.remove(orphan);
                    removed.add(orphan);
                    LOG.infof("Deleted Qdrant's copy %s of collection `%s`, left by a run on %s that did not keep it",
                            orphan, collection, entry.requestedAt());
                } catch (QdrantException e) {
                    failed = true;
                    remarks.add("Qdrant's copy " + orphan + " left by an earlier run could not be deleted: "
                            + e.getMessage());
                }
            }
            // an unnamed create may still be running on Qdrant's side until its timeout has passed
            boolean mayStillAppear = entry.name() == null && orphans.isEmpty() && entry.requestedAt()
                    .plus(config.snapshot().timeout()).plus(NAME_TIME_TOLERANCE).isAfter(Instant.now());
            if (failed || mayStillAppear) {
                kept.add(entry);
            } else {
                changed = true;
            }
        }
        if (changed) {
            copies.update(all -> {
                all.clear();
                all.addAll(kept);
            });
        }
        return listed;
    }

    /**
     * Whether {@code name} is the snapshot an unanswered create made: it was not listed before the create, it is
     * named after the collection, and its name time (Qdrant's UTC clock, to the second) lies within
     * {@link #NAME_TIME_TOLERANCE} of the create being sent, or after it while the create could still run.
     */
    private boolean madeBy(QdrantCopies.Entry entry, String name) {
        if (entry.before() == null || entry.before().contains(name) || !name.startsWith(entry.collection() + "-")) {
            return false;
        }
        Matcher matcher = QDRANT_NAME.matcher(name);
        if (!matcher.matches()) {
            return false;
        }
        Instant named;
        try {
            named = LocalDateTime.parse(matcher.group(1), QDRANT_NAME_TIME).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return false;
        }
        Instant sent = entry.requestedAt();
        return !named.isBefore(sent.minus(NAME_TIME_TOLERANCE)) && named.isBefore(sent.plus(NAME_TIME_TOLERANCE));
    }

    /** A failure for want of space before any byte arrived: Qdrant's copy is of no use now, so it is deleted. */
    private SnapshotFailure nothingDownloaded(SnapshotFailure e, QdrantCopies copies, QdrantCopies.Entry named,
            List<String> orphans) {
        String snapshotName = named.name();
        try {
            qdrant.deleteSnapshot(named.collection(), snapshotName, CALL_TIMEOUT);
            copies.update(entries -> entries.remove(named));
            return new SnapshotFailure(e.kind(), e.getMessage() + "; Qdrant's copy " + snapshotName
                    + " was deleted", e).at(named.collection(), null).removed(orphans);
        } catch (QdrantException deletion) {
            return new SnapshotFailure(e.kind(), e.getMessage() + "; Qdrant's copy " + snapshotName
                    + " could not be deleted (" + deletion.getMessage() + ")", e).at(named.collection(), snapshotName)
                    .removed(orphans);
        }
    }

    /**
     * The manifest's fields known before the create: what the collection was, on which Qdrant, read just before it.
     * What cannot be read is null, with the reason in {@code remarks}; it never fails the snapshot.
     */
    private ObjectNode manifestBeforeCreate(RunContext run, QdrantClient.Collection collection, List<String> runRemarks) {
        ObjectMapper mapper = json.get();
        ObjectNode manifest = mapper.createObjectNode();
        List<String> remarks = new ArrayList<>();
        manifest.put("format", 1);
        manifest.put("target", NAME);
        ObjectNode info = manifest.putObject("collection");
        info.put("name", collection.name());
        try {
            JsonNode result = qdrant.collectionInfo(collection.name(), CALL_TIMEOUT);
            info.set("status", result == null ? null : result.get("status"));
            info.set("points_count", result == null ? null : result.get("points_count"));
            info.set("segments_count", result == null ? null : result.get("segments_count"));
            info.set("config", result == null ? null : result.get("config"));
        } catch (QdrantException e) {
            info.putNull("status");
            info.putNull("points_count");
            info.putNull("segments_count");
            info.putNull("config");
            remarks.add("collection info unavailable: " + e.getMessage());
        }
        manifest.putArray("aliases").addAll(collection.aliases().stream().map(manifest::textNode).toList());
        manifest.put("configuredName", config.collection());
        manifest.put("reason", run.reason().label());
        manifest.put("startedAt", run.startedAt().toString());
        ObjectNode server = manifest.putObject("qdrant");
        try {
            QdrantClient.VersionInfo version = qdrant.version(CALL_TIMEOUT);
            server.put("version", version.version());
            server.put("commit", version.commit());
        } catch (QdrantException e) {
            server.putNull("version");
            server.putNull("commit");
            remarks.add("Qdrant version unavailable: " + e.getMessage());
        }
        manifest.putArray("remarks").addAll(remarks.stream().map(manifest::textNode).toList());
        runRemarks.addAll(remarks.stream().map(r -> "Manifest: " + r).toList());
        return manifest;
    }

    private void writeManifest(SnapshotFileWriter writer, Path snapshot, ObjectNode manifest,
            List<String> remarks) {
        Path file = snapshot.resolveSibling(snapshot.getFileName() + SnapshotFileWriter.MANIFEST_SUFFIX);
        try {
            writer.writeAtomically(file, json.get().writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
        } catch (IOException e) {
            String remark = "The snapshot is complete and verified, but its manifest " + file.getFileName()
                    + " could not be written: " + SnapshotFileWriter.reason(e);
            LOG.warn(remark);
            remarks.add(remark);
        }
    }

    private static SnapshotFailure failure(QdrantException e) {
        Kind kind = switch (e.kind()) {
            case TIMEOUT -> Kind.UPSTREAM_TIMEOUT;
            case UNREACHABLE -> Kind.UNREACHABLE;
            case REJECTED, PROTOCOL -> Kind.UPSTREAM;
        };
        return new SnapshotFailure(kind, e.getMessage(), e);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static void sleep(long millis) throws SnapshotFailure {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SnapshotFailure(Kind.UNREACHABLE, "Interrupted while waiting for Qdrant", e);
        }
    }
}
