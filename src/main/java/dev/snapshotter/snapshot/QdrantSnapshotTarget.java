package dev.snapshotter.snapshot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.snapshotter.config.BoundedDuration;
import dev.snapshotter.config.QdrantConfig;
import dev.snapshotter.offsite.OffsiteCatalog;
import dev.snapshotter.offsite.OffsiteCopies;
import dev.snapshotter.qdrant.CollectionInfo;
import dev.snapshotter.qdrant.QdrantClient;
import dev.snapshotter.qdrant.QdrantException;
import dev.snapshotter.qdrant.ShardPlacement;
import dev.snapshotter.qdrant.SnapshotArchive;
import dev.snapshotter.qdrant.SnapshotDescription;
import dev.snapshotter.qdrant.SnapshotNames;
import dev.snapshotter.store.Manifest;
import dev.snapshotter.store.Retention;
import dev.snapshotter.store.SnapshotCatalog;
import dev.snapshotter.store.SnapshotDirectory;
import dev.snapshotter.store.SnapshotFailure;
import dev.snapshotter.store.SnapshotFailure.Kind;
import dev.snapshotter.store.SnapshotFileName;
import dev.snapshotter.store.SnapshotFileWriter;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Backs up one Qdrant collection: resolve the alias, refuse when the node lacks some of the collection's shards or
 * Qdrant could not store the snapshot's name, remove what earlier runs left on Qdrant, create the snapshot,
 * stream it to a verified file with its manifest, delete Qdrant's server-side copy, then apply retention. Qdrant's
 * copy is deleted once ours is verified, or at once when nothing could be downloaded for want of space; any other
 * failure leaves it for the next run, which deletes it (see {@link QdrantCopies}).
 */
@ApplicationScoped
public class QdrantSnapshotTarget implements SnapshotTarget {

    /** This target's name in reports, logs and metrics. */
    public static final String NAME = "qdrant";
    /** How many point ids the manifest records for a drill to read back. */
    static final int POINT_SAMPLE = 8;
    private static final Logger LOG = Logger.getLogger(QdrantSnapshotTarget.class);
    /** The longest deadline of the quick calls (see {@link #callTimeout()}). */
    static final Duration MAX_CALL_TIMEOUT = Duration.ofSeconds(30);
    static final int MAX_FILE_NAME_BYTES = 255;
    /** A probe shorter than this says nothing about Qdrant, only about the clock. */
    private static final Duration MIN_PROBE = Duration.ofMillis(100);

    private final QdrantClient qdrant;
    private final QdrantConfig config;
    private final SnapshotDirectory directory;
    private final SnapshotCatalog catalog;
    private final Instance<ObjectMapper> json;
    private final SnapshotMetrics metrics;
    private volatile String resolved;
    /**
     * The reason of the last run skipped because the collection does not exist yet on a first deployment, until a run
     * finds it: {@link FirstBackup} takes the first backup as soon as it exists.
     */
    private volatile SnapshotReport.Reason awaiting;
    private final ClusterBackup cluster;
    private final OffsiteCopies offsite;
    private final OffsiteCatalog remote;

    QdrantSnapshotTarget(QdrantClient qdrant, QdrantConfig config, SnapshotDirectory directory,
            SnapshotCatalog catalog, Instance<ObjectMapper> json, SnapshotMetrics metrics, OffsiteCopies offsite,
            OffsiteCatalog remote, ManagedExecutor executor) {
        this.offsite = offsite;
        this.remote = remote;
        this.qdrant = qdrant;
        this.config = config;
        this.directory = directory;
        this.catalog = catalog;
        this.json = json;
        this.metrics = metrics;
        this.cluster = new ClusterBackup(this, qdrant, config, directory, json, executor);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void awaitAvailable(Duration timeout, Cancellation cancellation) throws SnapshotFailure {
        long deadline = System.nanoTime() + timeout.toNanos();
        long backoffMillis = 100;
        QdrantException last;
        while (true) {
            long remaining = deadline - System.nanoTime();
            Duration probe = Duration
                    .ofNanos(Math.max(MIN_PROBE.toNanos(), Math.min(QdrantClient.PROBE_TIMEOUT.toNanos(), remaining)));
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
            pause(Math.min(backoffMillis, left - MIN_PROBE.toMillis()), cancellation);
            backoffMillis = Math.min(backoffMillis * 2, 2000);
        }
        throw new SnapshotFailure(Kind.UNREACHABLE, "Qdrant at " + qdrant.url() + " did not become ready within "
                + BoundedDuration.describe(timeout) + " (QDRANT_WAIT_TIMEOUT); last: " + last.getMessage(), last);
    }

    /**
     * The deadline of every Qdrant call but the create (alias list, existence, cluster and collection info, list,
     * delete): {@code QDRANT_SNAPSHOT_TIMEOUT}, at most {@link #MAX_CALL_TIMEOUT}. These calls answer in
     * milliseconds; a server that accepts and never answers must not hold a run longer than the operator allowed.
     */
    Duration callTimeout() {
        Duration snapshot = config.snapshot().timeout();
        return snapshot.compareTo(MAX_CALL_TIMEOUT) < 0 ? snapshot : MAX_CALL_TIMEOUT;
    }

    @Override
    public String copyLeft(String copy, boolean cancelled) {
        return cancelled ? "Qdrant's copy " + copy + " is recorded for deletion by the next run"
                : "Qdrant's copy " + copy + " is kept on the server until the next run removes it";
    }

    @Override
    public Blocking blocking(SnapshotFailure failure) {
        if (failure.kind() == Kind.LOCAL_IO) {
            return Blocking.STORAGE;
        }
        for (Throwable cause = failure.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof QdrantException q && q.credentialRefused()) {
                return Blocking.CREDENTIAL;
            }
        }
        return null;
    }

    @Override
    public boolean recovered(Blocking cause) {
        try {
            if (cause == Blocking.STORAGE) {
                directory.writer().requireWritable();
            } else {
                qdrant.resolveCollection(config.collection(), QdrantClient.PROBE_TIMEOUT, () -> false);
            }
            return true;
        } catch (SnapshotFailure e) {
            return false;
        } catch (QdrantException e) {
            return !e.credentialRefused() && e.kind() == QdrantException.Kind.REJECTED;
        }
    }

    /**
     * Resolves {@code QDRANT_COLLECTION} and publishes the newest verified backup of the collection it points at now
     * (in the directory or off-site) as the last success, for a boot that takes no snapshot.
     */
    public void refreshLastSuccess(Cancellation cancellation) throws SnapshotFailure {
        publishNewest(resolve(cancellation::cancelled).name());
    }

    /**
     * When the newest verified backup of the collection {@code QDRANT_COLLECTION} points at was taken (as the last
     * run resolved it, or resolved now when no run has), in the directory or off-site.
     */
    public Optional<Instant> newestBackupAt() throws SnapshotFailure {
        return newest(resolvedName()).map(Newest::createdAt);
    }

    /**
     * The newest verified backup of a collection: a snapshot or set in the directory, or one off-site, which a pod
     * without a volume ({@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false}) keeps nowhere else; the local one of the same
     * time first.
     *
     * @param location its file, or its object's {@code s3://} address
     */
    private record Newest(String name, String location, Instant createdAt, long bytes, boolean offsite) {
    }

    private Optional<Newest> newest(String collection) {
        Optional<Newest> local = catalog.newest(collection, Instant.now())
                .map(entry -> new Newest(entry.fileName(), entry.file().toString(), entry.createdAt(), entry.bytes(),
                        false));
        Optional<Newest> remote = offsite.newestBackup(collection).map(
                backup -> new Newest(backup.fileName(), offsite.uri(backup), backup.createdAt(), backup.size(), true));
        // max keeps the first of equals: the local copy of a backup that is off-site too
        return Stream.of(local, remote).flatMap(Optional::stream).max(Comparator.comparing(Newest::createdAt));
    }

    /** Publishes the newest backup of {@code collection} as the last success; returns it. */
    private Optional<Newest> publishNewest(String collection) {
        Optional<Newest> newest = newest(collection);
        metrics.lastSuccess(NAME, newest.map(Newest::createdAt).orElse(null), newest.map(Newest::bytes).orElse(0L));
        return newest;
    }

    /**
     * The collection {@code QDRANT_COLLECTION} points at, as the last run resolved it, or resolved now. While Qdrant
     * cannot be reached or does not answer in time, as the backups say: the collection of the newest verified backup of
     * it in the directory (taken through it, as an alias or not), or {@code QDRANT_COLLECTION} itself when the bucket
     * holds backups of that name, or else the collection of the newest backup in the bucket taken through it as an
     * alias; without any, Qdrant's failure stands.
     */
    private String resolvedName() throws SnapshotFailure {
        String known = resolved;
        if (known != null) {
            return known;
        }
        try {
            return resolve(() -> false).name();
        } catch (SnapshotFailure e) {
            if (e.kind() != Kind.UNREACHABLE && e.kind() != Kind.UPSTREAM_TIMEOUT) {
                throw e;
            }
            String configured = config.collection();
            Optional<String> recorded = catalog.newestBackupOf(configured, at -> true)
                    .map(SnapshotCatalog.Entry::collection)
                    .or(() -> offsite.newestBackup(configured).map(backup -> configured));
            if (recorded.isEmpty() && remote.enabled()) {
                recorded = offsiteCollection(configured);
            }
            LOG.debugf("%s is not resolved (%s); its backups say it is %s", configured, e.getMessage(), recorded);
            return recorded.orElseThrow(() -> e);
        }
    }

    /**
     * The collection of the newest backup off-site taken through {@code QDRANT_COLLECTION}, {@code configured}, as an
     * alias (a pod without a volume, whose backups are all in the bucket under the real collection's folder), as its
     * manifest says; empty when there is none or the bucket cannot tell.
     */
    private Optional<String> offsiteCollection(String configured) {
        try {
            Optional<OffsiteCatalog.Remote> backup = remote.newestBackupOf(configured, at -> true);
            return backup.isPresent() ? Optional.ofNullable(remote.collectionOf(backup.get(), configured))
                    : Optional.empty();
        } catch (SnapshotFailure e) {
            LOG.debugf("The backups of %s off-site could not be told: %s", configured, e.getMessage());
            return Optional.empty();
        }
    }

    private QdrantClient.Collection resolve(BooleanSupplier cancelled) throws SnapshotFailure {
        try {
            QdrantClient.Collection collection = qdrant.resolveCollection(config.collection(), callTimeout(), cancelled);
            resolved = collection.name();
            return collection;
        } catch (QdrantException e) {
            throw failure(e);
        }
    }

    /**
     * The reason of the run skipped on a first deployment because the collection did not exist, while no run has found
     * it since.
     */
    Optional<SnapshotReport.Reason> awaitingCollection() {
        return Optional.ofNullable(awaiting);
    }

    /** Sets {@link #awaitingCollection}, and publishes whether it waits ({@code snapshotter_awaiting_collection}). */
    private void awaiting(SnapshotReport.Reason reason) {
        awaiting = reason;
        metrics.awaitingCollection(NAME, reason != null);
    }

    /** Whether the collection {@code QDRANT_COLLECTION} names exists now; false as well when Qdrant cannot say. */
    boolean collectionExists() {
        try {
            qdrant.resolveCollection(config.collection(), QdrantClient.PROBE_TIMEOUT, () -> false);
            return true;
        } catch (QdrantException e) {
            LOG.debugf("Collection %s not there yet: %s", config.collection(), e.getMessage());
            return false;
        }
    }

    @Override
    public Outcome snapshot(RunContext run) throws SnapshotFailure {
        BooleanSupplier cancelled = run.cancellation()::cancelled;
        QdrantClient.Collection collection;
        try {
            collection = resolve(cancelled);
        } catch (SnapshotFailure e) {
            if (e.getCause() instanceof QdrantException q && q.collectionMissing()) {
                return missingCollection(run, e);
            }
            throw e;
        }
        awaiting(null); // a run found the collection: the first backup no longer waits
        String name = collection.name();
        run.progress().collection(name);
        Optional<Newest> newest = publishNewest(name);
        if (run.skipIfNewerThan() != null && newest.isPresent()) {
            Duration age = Duration.between(newest.get().createdAt(), Instant.now());
            age = age.isNegative() ? Duration.ZERO : age.withNanos(0);
            if (age.compareTo(run.skipIfNewerThan()) < 0) {
                return Outcome.skipped(name, newest.get().location(), "Boot snapshot skipped: "
                        + newest.get().name() + (newest.get().offsite() ? " (off-site)" : "") + " is "
                        + BoundedDuration.describe(age) + " old, newer than QDRANT_SNAPSHOT_ON_START_MIN_INTERVAL="
                        + BoundedDuration.describe(run.skipIfNewerThan()));
            }
        }
        SnapshotFileWriter writer = directory.writer();
        writer.requireWritable();
        if (config.cluster().nodes().isPresent()) {
            return cluster.take(run, collection);
        }
        Progress progress = run.progress();
        ShardPlacement placement = wholePlacement(name, cancelled);
        requireStorableName(name, placement.peerId());
        QdrantCopies copies = new QdrantCopies(directory.path(), writer, json.get());
        List<String> present = reconcile(copies, qdrant, null, name, progress, cancelled);

        Manifest manifest = manifestBeforeCreate(run, collection, placement);
        Long countBefore = countPoints(name, "before", manifest, progress, cancelled);
        List<JsonNode> sample = samplePoints(name, manifest, progress, cancelled);
        Long[] countAfter = new Long[1];
        Captured captured = capture(qdrant, null, name, copies, present, writer, SnapshotFileName.of(run.startedAt(),
                name), progress, cancelled,
                () -> countAfter[0] = countPoints(name, "after", manifest, progress,
                        cancelled));
        SnapshotFileWriter.Written written = captured.written();
        String snapshotName = captured.snapshotName();
        boolean remoteDeleted = captured.remoteDeleted();

        writeManifest(writer, written.file(), manifest.withPoints(Manifest.Points.of(countBefore, countAfter[0], sample))
                .completed(Instant.now(), written, captured.qdrantChecksum(), snapshotName, captured.facts().toJson()),
                progress);

        List<String> pruned = retain(name, written.file(), progress);
        return new Outcome(SnapshotReport.Status.COMPLETED, name, snapshotName, written.file().toString(),
                written.bytes(), written.sha256(), remoteDeleted, progress.message(), pruned, null);
    }

    /**
     * The collection {@code QDRANT_COLLECTION} names does not exist on Qdrant. On a first deployment (no backup of it
     * in the directory nor, with the bucket set, off-site: backups of other collections do not count, as a restore
     * would not reach for them) the boot's or the schedule's run has nothing to back up yet: it is skipped, so that a
     * fail-closed boot ({@code QDRANT_SNAPSHOT_ON_START_REQUIRED}) lets the app that creates the collection start, and
     * names the other collections backed up there in case {@code QDRANT_COLLECTION} is misspelt. Otherwise (its data
     * lost, a run asked for through the API) the failure stands, naming the newest backup of it.
     */
    private Outcome missingCollection(RunContext run, SnapshotFailure missing) throws SnapshotFailure {
        String configured = config.collection();
        List<SnapshotCatalog.Entry> local = catalog.list();
        Optional<String> backup = local.stream().filter(entry -> entry.backsUp(configured))
                .map(SnapshotCatalog.Entry::fileName).findFirst();
        Set<String> others = local.stream().map(SnapshotCatalog.Entry::collection)
                .collect(Collectors.toCollection(TreeSet::new));
        if (backup.isEmpty() && remote.enabled()) {
            try {
                for (OffsiteCatalog.Remote offsite : remote.listRemote()) {
                    if (remote.backsUp(offsite, configured)) {
                        backup = Optional.of(offsite.fileName());
                        break;
                    }
                    Optional.ofNullable(OffsiteCatalog.collectionKey(offsite)).ifPresent(others::add);
                }
            } catch (SnapshotFailure e) {
                throw new SnapshotFailure(missing.kind(), missing.getMessage() + "; whether backups are off-site could "
                        + "not be told: " + e.getMessage(), missing.getCause());
            }
        }
        if (backup.isPresent()) {
            throw new SnapshotFailure(missing.kind(), missing.getMessage() + ". Backups exist (the newest: "
                    + backup.get() + "): if the collection's data was lost, restore it (POST /api/snapshots/{file}/"
                    + "restore, or QDRANT_SNAPSHOT_RESTORE_IF_MISSING=true at boot)", missing.getCause());
        }
        if (run.reason() == SnapshotReport.Reason.API) {
            throw missing;
        }
        awaiting(run.reason());
        return Outcome.skipped(configured, null, "Nothing to back up yet (a first deployment: no backup of `"
                + configured + "` is in " + directory.path() + (remote.enabled() ? " or off-site" : "") + "): "
                + missing.getMessage() + (others.isEmpty() ? ""
                        : "; backups of other collections are there ("
                                + String.join(", ", others) + "): if QDRANT_COLLECTION should name one of them, correct it")
                + "; the first backup follows as soon as the collection exists");
    }

    /**
     * Retention over the collection's backups (snapshots and sets alike, each one backup) once {@code justTaken} is
     * published, and the last-success gauges; returns what was deleted, with its remarks added to the run's. While a
     * restore or drill reads local backups (the snapshot a restore takes before it overwrites runs under it), nothing is
     * deleted: the backup being restored may be one the rules would rotate out.
     */
    List<String> retain(String name, Path justTaken, Progress progress) {
        Retention rules = rules();
        Predicate<SnapshotCatalog.Entry> held = offsite.pendingOffsite();
        Retention.Pruned pruned = catalog.unlessRead(() -> rules.prune(catalog.list(), name, justTaken, Instant.now(),
                held, true)).orElseGet(() -> rules.prune(catalog.list(), name, justTaken, Instant.now(), held, false));
        pruned.remarks().forEach(progress::remark);
        publishNewest(name);
        return pruned.files();
    }

    private Retention rules() {
        return new Retention(config.snapshot().keepLast(), config.snapshot().keepWithin(), config.snapshot());
    }

    /**
     * What retention would do now to the backups of the collection {@code QDRANT_COLLECTION} points at (as the last
     * run resolved it, or resolved now when no run has): in the directory, and off-site when the bucket is set.
     */
    public RetentionPreview previewRetention() throws SnapshotFailure {
        String name = resolvedName();
        Retention rules = rules();
        Instant now = Instant.now();
        List<Retention.Decision<SnapshotCatalog.Entry>> decisions = rules.decide(
                Retention.counted(catalog.list(), name, now), SnapshotCatalog.Entry::createdAt, entry -> false,
                Retention::holdsPoints, offsite.pendingOffsite(), now);
        Retention.PlacePreview local = Retention.PlacePreview.of(rules, decisions, SnapshotCatalog.Entry::fileName,
                SnapshotCatalog.Entry::createdAt);
        return new RetentionPreview(name, local,
                offsite.enabled() ? offsite.previewRetention(SnapshotFileName.key(name)) : null);
    }

    /** What retention would do now, in each place. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RetentionPreview(String collection, Retention.PlacePreview local, Retention.PlacePreview offsite) {
    }

    /**
     * What one create, download and check on one node gave.
     *
     * @param remoteDeleted whether Qdrant's copy was deleted after the download
     */
    record Captured(SnapshotFileWriter.Written written, SnapshotArchive.Facts facts, String snapshotName,
            boolean qdrantChecksum, boolean remoteDeleted) {
    }

    /** Work done between the create and the download (the point count just after the create). */
    @FunctionalInterface
    interface AfterCreate {
        void run() throws SnapshotFailure;
    }

    /**
     * The snapshot of {@code name} on one node: the ledger entry before the create, the create, the streamed and
     * verified download into {@code fileName} with the archive check, and the deletion of Qdrant's copy. Whatever
     * fails leaves no file and leaves Qdrant's copy in the ledger for the next run (or for the caller to delete).
     *
     * @param client the node's client
     * @param node the node as the ledger records it: null for {@code QDRANT_URL}
     * @param progress where Qdrant's name for the copy is kept while it is on the server, and the remarks go
     */
    Captured capture(QdrantClient client, String node, String name, QdrantCopies copies, List<String> present,
            SnapshotFileWriter writer, String fileName, Progress progress, BooleanSupplier cancelled,
            AfterCreate afterCreate) throws SnapshotFailure {
        QdrantCopies.Entry pending = new QdrantCopies.Entry(name, Instant.now(), present, node);
        copies.update(entries -> entries.add(pending));

        SnapshotDescription description;
        progress.phase("creating");
        try {
            description = client.createSnapshot(name, config.snapshot().timeout(), cancelled);
        } catch (QdrantException e) {
            if (e.kind() == QdrantException.Kind.REJECTED) {
                copies.update(entries -> entries.remove(pending)); // Qdrant refused: nothing was made
            }
            if (e.kind() == QdrantException.Kind.TIMEOUT) {
                throw new SnapshotFailure(Kind.UPSTREAM_TIMEOUT, e.getMessage() + " (QDRANT_SNAPSHOT_TIMEOUT); Qdrant "
                        + "may still finish that snapshot: the next run deletes it when it can tell it is ours", e);
            }
            throw failure(e);
        }
        String snapshotName = description.name();
        progress.snapshotName(snapshotName);
        afterCreate.run();
        QdrantCopies.Entry named = pending.named(snapshotName);
        copies.update(entries -> {
            entries.remove(pending);
            entries.add(named);
        });

        SnapshotFileWriter.Written written;
        SnapshotArchive archive = new SnapshotArchive();
        progress.phase("downloading");
        try {
            try {
                if (description.size() != null) {
                    writer.requireSpace(description.size());
                }
            } catch (SnapshotFailure e) {
                throw nothingDownloaded(client, e, copies, named, progress);
            }
            try (QdrantClient.Download download = client.download(name, snapshotName, cancelled)) {
                if (description.size() == null && download.contentLength() >= 0) {
                    try {
                        writer.requireSpace(download.contentLength());
                    } catch (SnapshotFailure e) {
                        throw nothingDownloaded(client, e, copies, named, progress);
                    }
                }
                long expected = description.size() != null ? description.size() : download.contentLength();
                metrics.expect(NAME, expected);
                written = writer.write(new DownloadProgress(download.body(), bytes -> metrics.downloaded(NAME, bytes),
                        snapshotName + " of `" + name + "`" + (node == null ? "" : " from " + node), expected,
                        System::nanoTime), fileName,
                        new SnapshotFileWriter.Expected(description.size(), download.contentLength(),
                                blankToNull(description.checksum()), archive));
            }
        } catch (QdrantException e) {
            throw failure(e);
        } catch (SnapshotFailure e) {
            throw e;
        }

        progress.phase("publishing");
        boolean qdrantChecksum = blankToNull(description.checksum()) != null;
        if (!qdrantChecksum) {
            progress.remark("Qdrant gave no checksum (S3 storage or an older Qdrant): only the size was verified; "
                    + "the SHA-256 was computed from the downloaded bytes");
            LOG.warnf("Qdrant gave no checksum for snapshot %s of collection `%s`; the size was verified and the "
                    + "SHA-256 computed from the downloaded bytes", snapshotName, name);
        }
        boolean remoteDeleted = false;
        if (config.snapshot().deleteRemote()) {
            try {
                client.deleteSnapshot(name, snapshotName, callTimeout(), cancelled);
                remoteDeleted = true;
                copies.update(entries -> entries.remove(named));
            } catch (QdrantException e) {
                progress.remark("Qdrant's copy " + snapshotName + " was kept on the server (the next run deletes it): "
                        + e.getMessage());
                LOG.warnf("The local snapshot is complete, but Qdrant's copy %s could not be deleted: %s", snapshotName,
                        e.getMessage());
            }
        } else {
            copies.update(entries -> entries.remove(named)); // kept on purpose: not ours to reconcile
            progress.remark("Qdrant's copy " + snapshotName + " was kept on the server (QDRANT_SNAPSHOT_DELETE_REMOTE=false)");
        }

        return new Captured(written, archive.facts(), snapshotName, qdrantChecksum, remoteDeleted);
    }

    /**
     * Where the collection's shards live, when a snapshot on this node holds all of them; otherwise the run fails
     * before the create, naming which shards live on which peers. A standalone Qdrant holds every shard.
     */
    private ShardPlacement wholePlacement(String name, BooleanSupplier cancelled) throws SnapshotFailure {
        ShardPlacement placement;
        try {
            placement = qdrant.placement(name, callTimeout(), cancelled);
        } catch (QdrantException e) {
            throw failure(e);
        }
        if (placement.mode() != ShardPlacement.Mode.STANDALONE && !placement.complete()) {
            throw new SnapshotFailure(Kind.REFUSED, "Refusing a partial backup: collection `" + name + "` is spread "
                    + "over a Qdrant cluster and the node at " + qdrant.url() + " (peer " + placement.peerId()
                    + ") holds an Active replica of " + (placement.local().isEmpty() ? "no shard"
                            : "shard" + (placement.local().size() > 1 ? "s " : " ") + placement.local().stream()
                                    .map(String::valueOf).collect(Collectors.joining(", ")))
                    + " only (" + placement.missing() + "), so its snapshot would hold part of the data; set "
                    + "QDRANT_CLUSTER_NODES to every node's URL to back the cluster up as a set, or point "
                    + "QDRANT_URL at a node that holds an Active replica of every shard");
        }
        return placement;
    }

    /**
     * Qdrant names the snapshot {@code <collection>-<peer id>-<time>.snapshot} and writes a {@code .checksum} file
     * beside it: with a long collection name those pass the 255 bytes a file name may have, and the run would fail
     * after Qdrant made (part of) it. Refused here instead, before anything is asked of Qdrant.
     */
    private static void requireStorableName(String name, String peerId) throws SnapshotFailure {
        String predicted = SnapshotNames.longestFor(name, peerId);
        int bytes = predicted.getBytes(StandardCharsets.UTF_8).length + SnapshotNames.CHECKSUM_SUFFIX.length();
        if (bytes > MAX_FILE_NAME_BYTES) {
            int nameBytes = name.getBytes(StandardCharsets.UTF_8).length;
            throw new SnapshotFailure(Kind.REFUSED, "Collection `" + (name.length() > 40 ? name.substring(0, 40)
                    + "..." : name) + "` has a name of " + nameBytes + " bytes, too long to snapshot: Qdrant names "
                    + "the snapshot after it, and with its peer id, time and `.snapshot.checksum` file that name "
                    + "would take " + bytes + " of the " + MAX_FILE_NAME_BYTES + " bytes a file name may have (names "
                    + "up to " + (nameBytes - (bytes - MAX_FILE_NAME_BYTES)) + " bytes fit); nothing was asked of "
                    + "Qdrant");
        }
    }

    /**
     * Reconciles Qdrant's copies of earlier runs of this collection on one node (see {@link QdrantCopies#reconcile})
     * and publishes how many are in doubt; returns the names Qdrant lists now, or null when it could not list them.
     */
    List<String> reconcile(QdrantCopies copies, QdrantClient client, String node, String collection, Progress progress,
            BooleanSupplier cancelled) {
        QdrantCopies.Reconciled done = copies.reconcile(client, node, collection, callTimeout(),
                config.snapshot().timeout(), progress, cancelled);
        metrics.copiesInDoubt(NAME, done.inDoubt());
        return done.listed();
    }

    /** A failure for want of space before any byte arrived: Qdrant's copy is of no use now, so it is deleted. */
    private SnapshotFailure nothingDownloaded(QdrantClient client, SnapshotFailure e, QdrantCopies copies,
            QdrantCopies.Entry named, Progress progress) {
        String snapshotName = named.name();
        try {
            client.deleteSnapshot(named.collection(), snapshotName, callTimeout(), () -> false);
            copies.update(entries -> entries.remove(named));
            progress.snapshotName(null); // nothing of it is left on Qdrant
            return new SnapshotFailure(e.kind(), e.getMessage() + "; Qdrant's copy " + snapshotName + " was deleted",
                    e);
        } catch (QdrantException deletion) {
            return new SnapshotFailure(e.kind(), e.getMessage() + "; Qdrant's copy " + snapshotName
                    + " could not be deleted (" + deletion.getMessage() + ")", e);
        }
    }

    /**
     * The collection's exact point count just before or just after the create; a failure is a remark, never a failed
     * snapshot.
     */
    Long countPoints(String collection, String when, Manifest manifest, Progress progress, BooleanSupplier cancelled)
            throws SnapshotFailure {
        return reading("points." + when + " is null: the exact point count could not be read", manifest, progress,
                () -> qdrant.countPoints(collection, callTimeout(), cancelled));
    }

    /**
     * The ids of a few points read just before the create, which a restore drill reads back; a failure is a remark.
     */
    List<JsonNode> samplePoints(String collection, Manifest manifest, Progress progress, BooleanSupplier cancelled)
            throws SnapshotFailure {
        return reading("points.sample is null: no sample of point ids could be read", manifest, progress,
                () -> qdrant.samplePointIds(collection, POINT_SAMPLE, callTimeout(), cancelled));
    }

    /** A reading for the manifest: when Qdrant fails it, null, and a remark that says why (a cancel still fails). */
    private static <T> T reading(String unread, Manifest manifest, Progress progress, Supplier<T> read)
            throws SnapshotFailure {
        try {
            return read.get();
        } catch (QdrantException e) {
            if (e.kind() == QdrantException.Kind.CANCELLED) {
                throw failure(e);
            }
            String remark = unread + ": " + e.getMessage();
            manifest.remarks().add(remark);
            progress.remark("Manifest: " + remark);
            return null;
        }
    }

    /**
     * The manifest's fields known before the create: what the collection was, on which Qdrant, where its shards were,
     * read just before it. What cannot be read is null, with the reason in {@code remarks}; it never fails the
     * snapshot. Every null in the manifest has its remark.
     */
    Manifest manifestBeforeCreate(RunContext run, QdrantClient.Collection collection, ShardPlacement placement) {
        List<String> remarks = new ArrayList<>();
        BooleanSupplier cancelled = run.cancellation()::cancelled;
        Manifest.Collection info;
        try {
            CollectionInfo result = qdrant.collectionInfo(collection.name(), callTimeout(), cancelled);
            info = new Manifest.Collection(collection.name(), result.status(), result.pointsCount(),
                    result.segmentsCount(), result.config());
            Map<String, JsonNode> values = new LinkedHashMap<>();
            values.put("status", result.status());
            values.put("points_count", result.pointsCount());
            values.put("segments_count", result.segmentsCount());
            values.put("config", result.config());
            values.forEach((field, value) -> {
                if (value == null || value.isNull()) {
                    remarks.add("collection." + field + " is null: Qdrant's collection info had no `" + field + "`");
                }
            });
        } catch (QdrantException e) {
            info = new Manifest.Collection(collection.name(), null, null, null, null);
            remarks.add("collection info unavailable (status, points_count, segments_count and config are null): "
                    + e.getMessage());
        }
        Manifest.Qdrant server;
        try {
            QdrantClient.VersionInfo version = qdrant.version(callTimeout(), cancelled);
            server = new Manifest.Qdrant(version.version(), version.commit());
            if (version.version() == null) {
                remarks.add("qdrant.version is null: Qdrant's `GET /` had no version");
            }
            if (version.commit() == null) {
                remarks.add("qdrant.commit is null: this Qdrant was built without a commit id");
            }
        } catch (QdrantException e) {
            server = new Manifest.Qdrant(null, null);
            remarks.add("Qdrant version unavailable (qdrant.version and qdrant.commit are null): " + e.getMessage());
        }
        if (placement.peerId() == null) {
            remarks.add("cluster.peerId and cluster.shards are null: Qdrant's shard placement could not be read");
        }
        Manifest.Cluster cluster = new Manifest.Cluster(placement.mode().label(), placement.peerId(),
                placement.peerId() == null ? null : placement.local());
        remarks.forEach(r -> run.progress().remark("Manifest: " + r));
        // the remarks stay open: the counts read around the create add theirs
        return new Manifest(1, NAME, info, collection.aliases(), config.collection(), run.reason().label(),
                run.startedAt().toString(), server, cluster, remarks, null, null, null, null, null, null, null, null);
    }

    private void writeManifest(SnapshotFileWriter writer, Path snapshot, Manifest manifest, Progress progress) {
        Path file = snapshot.resolveSibling(snapshot.getFileName() + SnapshotFileWriter.MANIFEST_SUFFIX);
        try {
            writer.writeAtomically(file, json.get().writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
        } catch (IOException e) {
            String remark = "The snapshot is complete and verified, but its manifest " + file.getFileName()
                    + " could not be written: " + SnapshotFileWriter.reason(e);
            LOG.warn(remark);
            progress.remark(remark);
        }
    }

    /** A Qdrant call's failure as a run's: a timeout, Qdrant unreachable, or its answer. */
    public static SnapshotFailure failure(QdrantException e) {
        Kind kind = switch (e.kind()) {
            case TIMEOUT -> Kind.UPSTREAM_TIMEOUT;
            case UNREACHABLE -> Kind.UNREACHABLE;
            case REJECTED, PROTOCOL -> Kind.UPSTREAM;
            case CANCELLED -> Kind.CANCELLED;
        };
        return new SnapshotFailure(kind, e.getMessage(), e);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /** Sleeps, looking at the cancellation every {@link #CANCEL_CHECK_MILLIS}. */
    static void pause(long millis, Cancellation cancellation) throws SnapshotFailure {
        long until = System.nanoTime() + millis * 1_000_000;
        for (long left = millis; left > 0; left = (until - System.nanoTime()) / 1_000_000) {
            if (cancellation.cancelled()) {
                throw new SnapshotFailure(Kind.CANCELLED, "Cancelled while waiting for Qdrant");
            }
            try {
                Thread.sleep(Math.min(left, CANCEL_CHECK_MILLIS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SnapshotFailure(Kind.CANCELLED, "Interrupted while waiting for Qdrant", e);
            }
        }
    }

    private static final long CANCEL_CHECK_MILLIS = 200;
}
