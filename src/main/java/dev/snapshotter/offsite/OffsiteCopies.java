package dev.snapshotter.offsite;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.snapshotter.config.QdrantConfig;
import dev.snapshotter.store.Manifest;
import dev.snapshotter.store.Retention;
import dev.snapshotter.store.SetManifest;
import dev.snapshotter.store.SnapshotCatalog;
import dev.snapshotter.store.SnapshotDirectory;
import dev.snapshotter.store.SnapshotFailure;
import dev.snapshotter.store.SnapshotFailure.Kind;
import dev.snapshotter.store.SnapshotFileName;
import dev.snapshotter.store.SnapshotFileWriter;

/**
 * Copies verified snapshots off-site and manages what is there (catch-up, off-site retention, the local copies
 * with {@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false}); {@link OffsiteCatalog} reads it back. A snapshot goes up as its checksum
 * file and manifest
 * first, then the {@code .snap} itself, so that a listed {@code .snap} always has its sidecars beside it. The
 * {@code .snap} is a multipart upload read once from the local file: each part is hashed and sent with its SHA-256
 * (the server checks each), the whole file is hashed on the way and must match the SHA-256 it was verified with
 * locally, and a {@code HEAD} must then show the size and the composite checksum of exactly those parts before the
 * copy counts. Memory is bounded by part size x concurrency. Every failure aborts the upload, so no part stays
 * stored; nothing is overwritten.
 */
@ApplicationScoped
public class OffsiteCopies {

    private static final Logger LOG = Logger.getLogger(OffsiteCopies.class);
    /** The longest a part waits for a free buffer before the cancellation and the parts in flight are looked at. */
    private static final long POLL_MILLIS = 200;
    /** The longest a run waits for the first listing of its collection's folder ({@link #newestBackup}). */
    static final Duration FIRST_LISTING = Duration.ofSeconds(10);

    private final S3Store store;
    private final QdrantConfig config;
    private final SnapshotCatalog catalog;
    private final SnapshotDirectory directory;
    private final OffsiteMetrics metrics;
    /** Where parts are sent from: Quarkus's worker pool; the part buffers bound how many are in flight. */
    private final ManagedExecutor executor;
    /** Object keys (with sizes) seen off-site by the last listing or copied since: what the pending count rests on. */
    private final Map<String, Long> knownOffsite = new ConcurrentHashMap<>();
    /** The folders listed since boot: what is known of them is kept up to date by the copies since. */
    private final Set<String> listedFolders = ConcurrentHashMap.newKeySet();
    /**
     * One copy (or local removal) at a time: the boot's catch-up and a run never upload, or remove, the same file at
     * once.
     */
    private final Object copying = new Object();
    private final Instance<ObjectMapper> json;

    OffsiteCopies(S3Store store, QdrantConfig config, SnapshotCatalog catalog, SnapshotDirectory directory,
            OffsiteMetrics metrics, ManagedExecutor executor, Instance<ObjectMapper> json) {
        this.executor = executor;
        this.json = json;
        this.store = store;
        this.config = config;
        this.catalog = catalog;
        this.directory = directory;
        this.metrics = metrics;
    }

    public boolean enabled() {
        return store.enabled();
    }

    /**
     * The object key of a local snapshot file; for a backup set, the key of its {@code set.json}, which is written
     * last: a set is off-site when that object is.
     */
    public String key(SnapshotCatalog.Entry entry) {
        return store.keys().marker(entry.key(), entry.fileName());
    }

    /** The size the object {@link #key} names has when the backup is off-site: the file's, or the set manifest's. */
    private static long markerSize(SnapshotCatalog.Entry entry) {
        if (!entry.isSet()) {
            return entry.bytes();
        }
        try {
            return Files.size(entry.manifestFile());
        } catch (IOException e) {
            return -1;
        }
    }

    /** An object the catalog brought back from the bucket: it is off-site, with that size. */
    void known(String key, long size) {
        knownOffsite.put(key, size);
    }

    /** A snapshot copied, or found already there. */
    record Copied(String key, long bytesUploaded, String checksum, boolean alreadyThere, Instant lockedUntil) {
    }

    /**
     * After a run verified {@code file}: copy it off-site (a failure of that fails the run), then copy what earlier
     * runs could not, apply off-site retention, and with {@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false} remove the local
     * files that are confirmed off-site.
     */
    public OffsiteReport afterSnapshot(Path file, BooleanSupplier cancelled) throws SnapshotFailure {
        long start = System.nanoTime();
        SnapshotCatalog.Entry entry = catalog.find(file.getFileName().toString())
                .orElseThrow(() -> new SnapshotFailure(Kind.LOCAL_IO, "The snapshot " + file + " vanished before its "
                        + "off-site copy"));
        Copied copied;
        try {
            copied = copy(entry, cancelled);
        } catch (SnapshotFailure e) {
            publishPending(); // the store may be down: counted from what is known, without asking it
            throw e;
        }
        List<String> remarks = new ArrayList<>();
        if (copied.alreadyThere()) {
            remarks.add(store.uri(copied.key()) + " was already there with the same content");
        }
        List<String> caughtUp = catchUp(cancelled, remarks);
        List<String> pruned = prune(entry.key(), entry.fileName(), remarks);
        boolean removed = !config.snapshot().s3().keepLocal() && removeConfirmedLocals(entry, remarks);
        return new OffsiteReport(OffsiteReport.Status.COMPLETED, store.bucket(), copied.key(),
                copied.bytesUploaded(), millisSince(start), entry.sha256(), copied.checksum(),
                remarks.isEmpty() ? null : String.join("; ", remarks), caughtUp.isEmpty() ? null : caughtUp,
                pruned.isEmpty() ? null : pruned, config.snapshot().s3().keepLocal() ? null : removed,
                copied.lockedUntil());
    }

    /** The report of a copy that failed with {@code failure}. */
    public OffsiteReport failed(Path file, long durationMs, String sha256, SnapshotFailure failure) {
        String key = store.keys().marker(file.getFileName().toString()).orElse(null);
        return OffsiteReport.failed(store.bucket(), key, durationMs, sha256, failure.getMessage());
    }

    /**
     * At boot, once the bucket takes our writes: {@link #catchUp}, then with {@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false}
     * remove the local files that are confirmed off-site (without waiting for the next run).
     *
     * @return the files copied
     */
    public List<String> catchUpAtBoot(BooleanSupplier cancelled, List<String> remarks) {
        List<String> copied = catchUp(cancelled, remarks);
        if (!config.snapshot().s3().keepLocal() && !cancelled.getAsBoolean()) {
            removeConfirmedLocals(null, remarks);
        }
        return copied;
    }

    /**
     * Copies every verified local snapshot that is not off-site yet, newest first, stopping at the first failure (the
     * store is likely down: the next run tries again).
     *
     * @return the files copied
     */
    List<String> catchUp(BooleanSupplier cancelled, List<String> remarks) {
        List<String> copied = new ArrayList<>();
        List<SnapshotCatalog.Entry> pending;
        try {
            pending = pending();
        } catch (SnapshotFailure e) {
            remarks.add("Off-site catch-up could not list the bucket: " + e.getMessage());
            return copied;
        }
        for (SnapshotCatalog.Entry entry : pending) {
            if (cancelled.getAsBoolean()) {
                break;
            }
            try {
                copy(entry, cancelled);
                copied.add(entry.fileName());
                LOG.infof("Off-site catch-up: copied %s to %s", entry.fileName(), store.uri(key(entry)));
            } catch (SnapshotFailure e) {
                remarks.add("Off-site catch-up stopped at " + entry.fileName() + " (the next run tries again): "
                        + e.getMessage());
                LOG.warnf("Off-site catch-up stopped at %s: %s", entry.fileName(), e.getMessage());
                break;
            }
        }
        publishPending(); // the copies made since the listing are known: no second listing
        return copied;
    }

    /**
     * The verified local snapshots that are not off-site, newest first (an object of the same name and another size is
     * not this snapshot); publishes their count (and, in {@link #remember}, when the newest backup off-site was taken).
     * The folder of {@code QDRANT_COLLECTION} is read even when the directory holds none of its snapshots: a pod
     * without a volume that restarts knows its last copy from the bucket.
     */
    List<SnapshotCatalog.Entry> pending() throws SnapshotFailure {
        Instant now = Instant.now();
        OffsiteKeys keys = store.keys();
        List<SnapshotCatalog.Entry> local = countable(now);
        List<String> folders = Stream.concat(Stream.of(SnapshotFileName.key(config.collection())),
                local.stream().map(SnapshotCatalog.Entry::key)).map(keys::folder).distinct().toList();
        for (String folder : folders) {
            remember(folder, store.list(folder));
        }
        List<SnapshotCatalog.Entry> pending = owed(local, now);
        metrics.pending(pending.size());
        return pending;
    }

    /** A backup as off-site retention would count it: one known off-site, or a local one not known there. */
    private record Counted(String fileName, String collectionKey, Instant createdAt, SnapshotCatalog.Entry local) {
    }

    /**
     * Those of {@code local} (verified, not dated in the future; newest first) that are owed off-site: not known there,
     * and kept by off-site retention were they there, beside what is known there of their collection. One that the
     * bucket's rules would prune at once is not (rules that keep fewer than the directory's pruned it since its copy):
     * copying it again would only have it pruned again at every run, and holding it in the directory for its copy
     * would keep it there forever. Decided from what is known, without asking the store; a backup off-site whose
     * manifest is not in the directory may hold points.
     */
    private List<SnapshotCatalog.Entry> owed(List<SnapshotCatalog.Entry> local, Instant now) {
        List<SnapshotCatalog.Entry> missing = local.stream().filter(this::notKnownOffsite).toList();
        Retention rules = rules();
        if (missing.isEmpty() || !rules.any()) {
            return missing;
        }
        Map<String, SnapshotCatalog.Entry> byName = local.stream()
                .collect(Collectors.toMap(SnapshotCatalog.Entry::fileName, entry -> entry, (a, b) -> a));
        Set<String> missingNames = missing.stream().map(SnapshotCatalog.Entry::fileName).collect(Collectors.toSet());
        List<Counted> counted = new ArrayList<>();
        for (OffsiteCatalog.Remote remote : OffsiteCatalog.remotes(store.keys(), knownOffsite)) {
            if (!missingNames.contains(remote.fileName()) && OffsiteCatalog.collectionKey(remote) != null
                    && !remote.createdAt().isAfter(now.plus(Duration.ofMinutes(1)))) {
                counted.add(new Counted(remote.fileName(), OffsiteCatalog.collectionKey(remote), remote.createdAt(),
                        byName.get(remote.fileName())));
            }
        }
        missing.forEach(entry -> counted.add(new Counted(entry.fileName(), entry.key(), entry.createdAt(), entry)));
        Set<String> kept = counted.stream().collect(Collectors.groupingBy(Counted::collectionKey)).values().stream()
                .flatMap(ofOne -> rules.decide(ofOne.stream().sorted(Comparator.comparing(Counted::createdAt)
                        .thenComparing(Counted::fileName).reversed()).toList(), Counted::createdAt, backup -> false,
                        backup -> backup.local() == null || Retention.holdsPoints(backup.local()), backup -> false, now)
                        .stream())
                .filter(decision -> !decision.goes()).map(decision -> decision.backup().fileName())
                .collect(Collectors.toSet());
        return missing.stream().filter(entry -> kept.contains(entry.fileName())).toList();
    }

    /**
     * What a listing of {@code folder} found replaces what was known of it; publishes when the newest backup known
     * off-site was taken (a folder first listed for a run, as that of the collection an alias points at, counts too).
     */
    private void remember(String folder, List<S3Store.StoredObject> listed) {
        Map<String, Long> there = listed.stream()
                .collect(Collectors.toMap(S3Store.StoredObject::key, S3Store.StoredObject::size));
        knownOffsite.keySet().removeIf(key -> key.startsWith(folder));
        knownOffsite.putAll(there);
        listedFolders.add(folder);
        newestKnown(remote -> true).ifPresent(newest -> metrics.confirmed(newest.createdAt()));
    }

    /**
     * The newest backup (snapshot or set) of {@code collection} off-site, not dated in the future; empty without a
     * bucket, or when none is known. The collection's folder is listed the first time it is asked for, waiting at most
     * {@link #FIRST_LISTING} (a store that does not answer leaves it unknown until the next run's listing); after that,
     * the copies, catch-ups and retention since keep what is known up to date without asking the store.
     */
    public Optional<OffsiteCatalog.Remote> newestBackup(String collection) {
        if (!enabled()) {
            return Optional.empty();
        }
        String collectionKey = SnapshotFileName.key(collection);
        String folder = store.keys().folder(collectionKey);
        if (!listedFolders.contains(folder)) {
            try {
                remember(folder, store.list(folder, FIRST_LISTING));
            } catch (SnapshotFailure e) {
                LOG.debugf("The backups of %s off-site are not known yet: %s", collection, e.getMessage());
            }
        }
        return newestKnown(remote -> collectionKey.equals(OffsiteCatalog.collectionKey(remote)));
    }

    /** The newest backup known off-site of those {@code which} accepts, not dated in the future, with its size. */
    private Optional<OffsiteCatalog.Remote> newestKnown(Predicate<OffsiteCatalog.Remote> which) {
        Instant now = Instant.now();
        return OffsiteCatalog.remotes(store.keys(), knownOffsite).stream().filter(which)
                .filter(remote -> !remote.createdAt().isAfter(now))
                .max(Comparator.comparing(OffsiteCatalog.Remote::createdAt));
    }

    /** Where {@code remote} is, for reports and logs: {@code s3://<bucket>/<key>}. */
    public String uri(OffsiteCatalog.Remote remote) {
        return store.uri(remote.key());
    }

    /**
     * Publishes how many verified local snapshots are not known to be off-site, from the last listing and the copies
     * since, without asking the store (which may be the thing that is down).
     */
    private void publishPending() {
        Instant now = Instant.now();
        metrics.pending(owed(countable(now), now).size());
    }

    /** The local snapshots that should be off-site: verified, and not dated in the future. */
    private List<SnapshotCatalog.Entry> countable(Instant now) {
        return catalog.list().stream().filter(SnapshotCatalog.Entry::verified).filter(entry -> !entry.inFuture(now))
                .toList();
    }

    /**
     * Whether local retention must keep a backup: off-site copies are on and it is owed off-site ({@link #owed}: not
     * known to be there yet, a store outage, and not one the bucket's rules would prune at once), so deleting the local
     * file would lose it. Known from the last listing and the copies since; before any listing, nothing is known to be
     * off-site. Decided once, when first asked, for the predicate's life (one pruning or preview).
     */
    public Predicate<SnapshotCatalog.Entry> pendingOffsite() {
        if (!enabled()) {
            return entry -> false;
        }
        AtomicReference<Set<String>> owed = new AtomicReference<>();
        return entry -> {
            if (!notKnownOffsite(entry)) {
                return false;
            }
            return owed.updateAndGet(known -> {
                if (known != null) {
                    return known;
                }
                Instant now = Instant.now();
                return owed(countable(now), now).stream().map(SnapshotCatalog.Entry::fileName)
                        .collect(Collectors.toSet());
            }).contains(entry.fileName());
        };
    }

    /** Not off-site as far as is known: no object of its name, or one of another size (not this snapshot). */
    private boolean notKnownOffsite(SnapshotCatalog.Entry entry) {
        return !Long.valueOf(markerSize(entry)).equals(knownOffsite.get(key(entry)));
    }

    /** Copies one local snapshot with its sidecars, and confirms it; fails leaving no part stored. */
    Copied copy(SnapshotCatalog.Entry entry, BooleanSupplier cancelled) throws SnapshotFailure {
        synchronized (copying) {
            return copyAlone(entry, cancelled);
        }
    }

    private Copied copyAlone(SnapshotCatalog.Entry entry, BooleanSupplier cancelled) throws SnapshotFailure {
        if (entry.isSet()) {
            return copySet(entry, cancelled);
        }
        String folder = store.keys().folder(entry.key());
        abortUnfinished(folder, false);
        for (Path sidecar : List.of(entry.checksumFile(), entry.manifestFile())) {
            if (Files.exists(sidecar)) {
                putSidecar(folder + sidecar.getFileName(), sidecar);
            }
        }
        return copyFile(entry, key(entry), cancelled);
    }

    /**
     * A backup set off-site: each member as a snapshot is copied (its checksum file, then the member as a verified
     * multipart upload, confirmed), then {@code set.json}, conditionally, last: the set is off-site once that object
     * is, so a set whose copy stopped half-way is never listed off-site, and the next copy completes it.
     */
    private Copied copySet(SnapshotCatalog.Entry set, BooleanSupplier cancelled) throws SnapshotFailure {
        String folder = store.keys().setFolder(set.key(), set.fileName());
        String marker = key(set);
        abortUnfinished(folder, true);
        Optional<S3Store.StoredObject> there = store.head(marker);
        long uploaded = 0;
        Instant lockedUntil = there.map(S3Store.StoredObject::lockedUntil).orElse(null);
        if (there.isEmpty()) {
            for (SnapshotCatalog.Member member : set.members()) {
                if (cancelled.getAsBoolean()) {
                    throw new SnapshotFailure(Kind.CANCELLED, "Cancelled during the off-site copy of " + set.fileName());
                }
                Path file = set.file().resolve(member.file());
                putSidecar(folder + member.file() + SnapshotFileWriter.CHECKSUM_SUFFIX,
                        set.file().resolve(member.file() + SnapshotFileWriter.CHECKSUM_SUFFIX));
                SnapshotCatalog.Entry one = new SnapshotCatalog.Entry(file, set.key(), set.createdAt(), member.bytes(),
                        member.sha256(), null, null, null, null);
                Copied copied = copyFile(one, folder + member.file(), cancelled);
                uploaded += copied.bytesUploaded();
                if (copied.lockedUntil() != null
                        && (lockedUntil == null || copied.lockedUntil().isBefore(lockedUntil))) {
                    lockedUntil = copied.lockedUntil();
                }
            }
        }
        putSidecar(marker, set.manifestFile()); // when it was there: the same set.json, or a refusal that says it is not
        return new Copied(marker, uploaded, null, there.isPresent(), lockedUntil);
    }

    /** Uploads one verified file to {@code key} and confirms it (or finds the same file there). */
    private Copied copyFile(SnapshotCatalog.Entry entry, String key, BooleanSupplier cancelled)
            throws SnapshotFailure {
        Optional<S3Store.StoredObject> existing = store.head(key);
        if (existing.isPresent()) {
            return sameContent(entry, existing.get());
        }
        long size = entry.bytes();
        if (size > PartPlan.MAX_OBJECT) {
            throw new SnapshotFailure(Kind.OFFSITE, entry.fileName() + " holds " + size + " bytes, more than the 5 TiB "
                    + "S3 takes in one object: not copied off-site");
        }
        long configuredPartSize = config.snapshot().s3().partSize();
        int configuredConcurrency = config.snapshot().s3().uploadConcurrency();
        PartPlan plan = PartPlan.of(size, configuredPartSize, configuredConcurrency, Runtime.getRuntime().maxMemory());
        if (plan.adjusted(configuredPartSize, configuredConcurrency)) {
            LOG.infof("%s goes up in %d parts of %d MiB, %d at once (S3 takes at most %d parts in an upload; the "
                    + "part buffers stay within half the heap)", entry.fileName(), plan.parts(), plan.partSize() >> 20,
                    plan.concurrency(), PartPlan.MAX_PARTS);
        }
        S3Store.Upload upload = store.begin(key, entry.sha256());
        List<S3Store.Part> done;
        String expected;
        try {
            Uploaded uploaded = uploadParts(upload, entry, plan, cancelled);
            done = uploaded.parts();
            expected = uploaded.composite();
            if (!store.complete(upload, done)) {
                abortQuietly(upload);
                return sameContent(entry, store.head(key).orElseThrow(() -> new SnapshotFailure(Kind.OFFSITE,
                        "S3 refused " + store.uri(key) + " as already there, yet has no object of that name")));
            }
        } catch (SnapshotFailure | RuntimeException e) {
            abortQuietly(upload);
            throw e;
        }
        S3Store.StoredObject stored = store.head(key).orElseThrow(() -> new SnapshotFailure(Kind.OFFSITE,
                "S3 completed the upload of " + store.uri(key) + " but has no object of that name"));
        try {
            confirm(entry, stored, expected, upload.lockedUntil());
        } catch (SnapshotFailure e) {
            throw removeUnconfirmed(key, e);
        }
        knownOffsite.put(key, size);
        metrics.uploaded(size, entry.createdAt());
        return new Copied(key, size, stored.checksumSha256(), false, stored.lockedUntil());
    }

    private record Uploaded(List<S3Store.Part> parts, String composite) {
    }

    /**
     * Reads the file once, in order, into at most {@code concurrency} part buffers; each part is uploaded on a worker
     * thread while the next is read (a buffer is refilled only once its part is sent, so at most {@code concurrency}
     * parts are in flight). The whole file's SHA-256 must match the one it was verified with.
     */
    private Uploaded uploadParts(S3Store.Upload upload, SnapshotCatalog.Entry entry, PartPlan plan,
            BooleanSupplier cancelled) throws SnapshotFailure {
        long partSize = plan.partSize();
        int parts = plan.parts();
        int concurrency = plan.concurrency();
        int bufferSize = (int) Math.min(partSize, entry.bytes());
        BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(concurrency);
        List<Future<S3Store.Part>> inFlight = new ArrayList<>();
        MessageDigest whole = SnapshotFileWriter.sha256();
        MessageDigest composite = SnapshotFileWriter.sha256();
        int allocated = 0;
        try (FileChannel channel = FileChannel.open(entry.file(), StandardOpenOption.READ)) {
            if (channel.size() != entry.bytes()) {
                throw new SnapshotFailure(Kind.OFFSITE, entry.fileName() + " holds " + channel.size() + " bytes, not "
                        + "the " + entry.bytes() + " it was verified with: not copied off-site");
            }
            for (int number = 1; number <= parts; number++) {
                byte[] buffer = free.poll();
                while (buffer == null) {
                    if (allocated < concurrency) {
                        buffer = new byte[bufferSize];
                        allocated++;
                        break;
                    }
                    failFast(inFlight, cancelled);
                    buffer = free.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                }
                failFast(inFlight, cancelled);
                int length = (int) Math.min(partSize, entry.bytes() - (number - 1) * partSize);
                readFully(channel, buffer, length, (number - 1) * partSize, entry);
                whole.update(buffer, 0, length);
                byte[] filled = buffer;
                int partNumber = number;
                // the part's own SHA-256 on the thread that sends it: the reader hashes the whole file meanwhile
                inFlight.add(executor.submit(() -> {
                    try {
                        MessageDigest part = SnapshotFileWriter.sha256();
                        part.update(filled, 0, length);
                        String checksum = Base64.getEncoder().encodeToString(part.digest());
                        return store.uploadPart(upload, partNumber, filled, length, checksum);
                    } finally {
                        free.add(filled);
                    }
                }));
            }
            String sha256 = HexFormat.of().formatHex(whole.digest());
            if (!sha256.equals(entry.sha256())) {
                throw new SnapshotFailure(Kind.OFFSITE, entry.fileName() + " read back with SHA-256 " + sha256
                        + ", not the " + entry.sha256() + " it was verified with (the local file changed or the disk "
                        + "returned other bytes): not copied off-site");
            }
            List<S3Store.Part> done = new ArrayList<>();
            for (Future<S3Store.Part> part : inFlight) {
                S3Store.Part stored = await(part, cancelled);
                composite.update(Base64.getDecoder().decode(stored.checksumSha256()));
                done.add(stored);
            }
            return new Uploaded(done, Base64.getEncoder().encodeToString(composite.digest()) + "-" + parts);
        } catch (IOException e) {
            throw new SnapshotFailure(Kind.LOCAL_IO, "Could not read " + entry.fileName() + " for its off-site copy: "
                    + SnapshotFileWriter.reason(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SnapshotFailure(Kind.CANCELLED, "Interrupted during the off-site copy", e);
        } finally {
            inFlight.forEach(f -> f.cancel(true)); // a part still sending is interrupted: its upload is aborted
        }
    }

    private static void readFully(FileChannel channel, byte[] buffer, int length, long position,
            SnapshotCatalog.Entry entry) throws IOException, SnapshotFailure {
        ByteBuffer target = ByteBuffer.wrap(buffer, 0, length);
        while (target.hasRemaining()) {
            if (channel.read(target, position + target.position()) < 0) {
                throw new SnapshotFailure(Kind.OFFSITE, entry.fileName() + " ended early while read for its off-site "
                        + "copy: not copied");
            }
        }
    }

    /** Fails at once when shutdown began or a part in flight failed. */
    private static void failFast(List<Future<S3Store.Part>> inFlight, BooleanSupplier cancelled)
            throws SnapshotFailure, InterruptedException {
        if (cancelled.getAsBoolean()) {
            throw new SnapshotFailure(Kind.CANCELLED, "Cancelled by shutdown during the off-site copy");
        }
        for (Future<S3Store.Part> part : inFlight) {
            if (part.isDone()) {
                await(part, cancelled);
            }
        }
    }

    private static S3Store.Part await(Future<S3Store.Part> part, BooleanSupplier cancelled)
            throws SnapshotFailure, InterruptedException {
        while (true) {
            try {
                return part.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (cancelled.getAsBoolean()) {
                    throw new SnapshotFailure(Kind.CANCELLED, "Cancelled by shutdown during the off-site copy");
                }
            } catch (ExecutionException e) {
                if (e.getCause() instanceof SnapshotFailure failure) {
                    throw failure;
                }
                throw new SnapshotFailure(Kind.OFFSITE, "A part upload failed: " + e.getCause(), e.getCause());
            }
        }
    }

    /**
     * What a {@code HEAD} after completion must show: our size, the composite checksum of our parts, the server-side
     * encryption of {@code QDRANT_SNAPSHOT_S3_SSE} and the Object Lock of {@code QDRANT_SNAPSHOT_S3_LOCK_MODE}.
     */
    private void confirm(SnapshotCatalog.Entry entry, S3Store.StoredObject stored, String expected,
            Instant lockedUntil) throws SnapshotFailure {
        if (stored.size() != entry.bytes()) {
            throw new SnapshotFailure(Kind.OFFSITE, store.uri(stored.key()) + " holds " + stored.size() + " bytes after "
                    + "its upload, not " + entry.bytes());
        }
        if (stored.checksumSha256() != null && !stored.checksumSha256().equals(expected)) {
            throw new SnapshotFailure(Kind.OFFSITE, store.uri(stored.key()) + " has the checksum "
                    + stored.checksumSha256() + " after its upload, not " + expected);
        }
        String notAsAsked = store.notAsAsked(stored, lockedUntil);
        if (notAsAsked != null) {
            throw new SnapshotFailure(Kind.OFFSITE, notAsAsked);
        }
        if (stored.checksumSha256() == null) {
            LOG.warnf("%s returned no SHA-256 on HEAD: only its size was confirmed (the server checked each part's "
                    + "SHA-256 as it took it)", store.uri(stored.key()));
        }
    }

    /**
     * Removes the object this copy completed that then failed its confirmation: left there, it would pass for a backup,
     * and for this snapshot's copy when the next copy finds our size and SHA-256 on it. Only this copy made it (the
     * completion is conditional), so nothing of anyone else's goes.
     */
    private SnapshotFailure removeUnconfirmed(String key, SnapshotFailure failure) {
        try {
            store.delete(key);
            return new SnapshotFailure(Kind.OFFSITE, failure.getMessage() + ": the object was removed" + (store.locking()
                    ? " from the listing (where the store locked it, that version stays stored until its lock ends)"
                    : ""), failure);
        } catch (SnapshotFailure e) {
            LOG.warnf("%s failed its confirmation and could not be removed: %s", store.uri(key), e.getMessage());
            return new SnapshotFailure(Kind.OFFSITE, failure.getMessage() + "; the object could not be removed ("
                    + e.getMessage() + "): remove it before the next copy", failure);
        }
    }

    /**
     * An object of the snapshot's name is already there: the same snapshot when it has the same size and was
     * uploaded by us with the same SHA-256 (a run that stopped after completing it); anything else is refused, and
     * never overwritten.
     */
    private Copied sameContent(SnapshotCatalog.Entry entry, S3Store.StoredObject existing) throws SnapshotFailure {
        if (sameSnapshot(existing, entry)) {
            knownOffsite.put(existing.key(), existing.size());
            return new Copied(existing.key(), 0, existing.checksumSha256(), true, existing.lockedUntil());
        }
        throw new SnapshotFailure(Kind.OFFSITE, "An object named " + store.uri(existing.key()) + " is already there "
                + "and is not this snapshot (" + existing.size() + " bytes" + (existing.sha256Metadata() == null
                        ? ", no SHA-256 of ours"
                        : ", SHA-256 " + existing.sha256Metadata())
                + "): it is never overwritten; move it away, or set another QDRANT_SNAPSHOT_S3_PREFIX");
    }

    /** Puts a small file (a checksum file, a manifest) conditionally, and knows it is there. */
    private void putSidecar(String key, Path file) throws SnapshotFailure {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new SnapshotFailure(Kind.LOCAL_IO, "Could not read " + file.getFileName() + " for its off-site copy: "
                    + SnapshotFileWriter.reason(e), e);
        }
        if (store.putIfAbsent(key, content, true)) {
            knownOffsite.put(key, (long) content.length);
            return;
        }
        Optional<S3Store.StoredObject> there = store.head(key);
        if (there.isPresent() && S3Store.checksum(content).equals(there.get().checksumSha256())) {
            knownOffsite.put(key, (long) content.length); // an earlier attempt put the same file
            return;
        }
        throw new SnapshotFailure(Kind.OFFSITE, "An object named " + store.uri(key) + " is already there with other "
                + "content: it is never overwritten; move it away, or set another QDRANT_SNAPSHOT_S3_PREFIX");
    }

    /**
     * Aborts what an earlier copy left unfinished in {@code folder} (the store went away before the abort could
     * reach it, or the process died): only uploads of names like our snapshots (in a set's folder, like its members),
     * and none of ours is in flight (one copy at a time).
     */
    private void abortUnfinished(String folder, boolean setFolder) throws SnapshotFailure {
        for (S3Store.Upload upload : store.unfinished(folder)) {
            String name = upload.key().substring(folder.length());
            boolean ours = setFolder ? name.indexOf('/') < 0 && name.endsWith(SnapshotFileName.SUFFIX)
                    : SnapshotFileName.parse(name).isPresent();
            if (ours) {
                String problem = store.abort(upload);
                if (problem == null) {
                    LOG.infof("Aborted the unfinished upload of %s that an earlier copy left", store.uri(upload.key()));
                } else {
                    LOG.warnf("Could not abort the unfinished upload of %s: %s", store.uri(upload.key()), problem);
                }
            }
        }
    }

    private void abortQuietly(S3Store.Upload upload) {
        String problem = store.abort(upload);
        if (problem != null) {
            LOG.warnf("The failed upload of %s could not be aborted now (the next copy into its folder aborts it): %s",
                    store.uri(upload.key()), problem);
        }
    }

    /**
     * {@code QDRANT_SNAPSHOT_S3_KEEP_LAST}, {@code _KEEP_WITHIN} and the calendar rules ({@code _KEEP_DAILY} ...) over
     * the collection's folder: only objects named like our snapshots count; the newest and {@code justTaken} are kept,
     * and so is the newest that holds points while the newer ones hold none ({@link Retention#decide}); a snapshot
     * goes with its sidecars, the {@code .snap} first.
     */
    List<String> prune(String collectionKey, String justTaken, List<String> remarks) {
        Retention rules = rules();
        if (!rules.any()) {
            return List.of();
        }
        Plan plan;
        try {
            plan = plan(rules, collectionKey, justTaken);
        } catch (SnapshotFailure e) {
            remarks.add("Off-site retention could not list the bucket: " + e.getMessage());
            return List.of();
        }
        OffsiteKeys keys = store.keys();
        List<String> pruned = new ArrayList<>();
        List<String> left = new ArrayList<>();
        boolean mayDelete = !catalog.beingRead(); // a restore's safety snapshot: the backup it restores may go
        for (int index = 0; index < plan.decisions().size(); index++) {
            Retention.Decision<OffsiteCatalog.Remote> decision = plan.decisions().get(index);
            OffsiteCatalog.Remote backup = decision.backup();
            String name = backup.fileName();
            if (decision.keptOnlyBy(Retention.HOLDS_POINTS)) {
                remarks.add("Off-site retention: " + rules.keptForItsPoints(name, index));
                continue;
            }
            if (!decision.goes()) {
                continue;
            }
            if (!mayDelete) {
                left.add(name);
                continue;
            }
            try {
                // the object that lists it goes first: a set's manifest, a snapshot's file
                store.delete(backup.key());
                String others = keys.objectsOf(collectionKey, name);
                for (S3Store.StoredObject object : plan.objects()) {
                    if (object.key().startsWith(others)) {
                        store.delete(object.key());
                    }
                }
                LOG.infof("Pruned %s off-site (%s)", store.uri(plan.folder() + name), rules.describe());
                pruned.add(name);
            } catch (SnapshotFailure e) {
                remarks.add("Off-site retention could not delete " + name + ": " + e.getMessage());
            }
        }
        if (!left.isEmpty()) {
            String remark = "Off-site retention left " + String.join(", ", left) + " for a later pruning, although "
                    + rules.describe() + " would delete " + (left.size() == 1 ? "it" : "them") + ": a restore or "
                    + "drill is reading snapshots, which it may fetch from the bucket";
            LOG.info(remark);
            remarks.add(remark);
        }
        if (!pruned.isEmpty()) {
            try {
                String versionsKept = store.deletedVersionsKept();
                metrics.prunedVersionsKept(versionsKept != null);
                if (versionsKept != null) {
                    LOG.warnf("Off-site retention: %s", versionsKept);
                    remarks.add("Off-site retention: " + versionsKept);
                }
            } catch (SnapshotFailure e) { // a credential without s3:GetBucketVersioning or s3:GetLifecycleConfiguration
                LOG.debugf("Off-site retention could not check that pruned versions expire: %s", e.getMessage());
            }
        }
        return pruned;
    }

    private Retention rules() {
        QdrantConfig.S3 s3 = config.snapshot().s3();
        return new Retention(s3.keepLast(), s3.keepWithin(), s3);
    }

    /** A collection's folder off-site, its objects, and what the rules decide for each backup among them. */
    private record Plan(String folder, List<S3Store.StoredObject> objects,
            List<Retention.Decision<OffsiteCatalog.Remote>> decisions) {
    }

    /**
     * Lists the collection's folder: only objects named like our snapshots, with their checksum file beside them (or
     * a set's manifest), count, and none dated over a minute ahead.
     */
    private Plan plan(Retention rules, String collectionKey, String justTaken) throws SnapshotFailure {
        OffsiteKeys keys = store.keys();
        String folder = keys.folder(collectionKey);
        List<S3Store.StoredObject> objects = store.list(folder);
        Instant now = Instant.now();
        List<OffsiteCatalog.Remote> newestFirst = OffsiteCatalog.remotes(keys, objects.stream()
                .collect(Collectors.toMap(S3Store.StoredObject::key, S3Store.StoredObject::size))).stream()
                .filter(backup -> !backup.createdAt().isAfter(now.plus(Duration.ofMinutes(1))))
                .sorted(Comparator.comparing(OffsiteCatalog.Remote::createdAt).reversed()).toList();
        return new Plan(folder, objects, rules.decide(newestFirst, OffsiteCatalog.Remote::createdAt,
                backup -> backup.fileName().equals(justTaken), this::holdsPoints, backup -> false, now));
    }

    /** What off-site retention would do now to the collection's backups in the bucket. */
    public Retention.PlacePreview previewRetention(String collectionKey) throws SnapshotFailure {
        Retention rules = rules();
        return Retention.PlacePreview.of(rules, plan(rules, collectionKey, null).decisions(),
                OffsiteCatalog.Remote::fileName, OffsiteCatalog.Remote::createdAt);
    }

    /**
     * Whether a backup off-site may hold points, as its manifest says (a set's {@code set.json}, a snapshot's
     * {@code .json}); one that cannot be read (none, another tool's copy, the store failing) may.
     */
    private boolean holdsPoints(OffsiteCatalog.Remote backup) {
        try {
            Optional<InputStream> found = store.openIfPresent(backup.isSet() ? backup.key()
                    : backup.key() + SnapshotFileWriter.MANIFEST_SUFFIX);
            if (found.isEmpty()) {
                return true;
            }
            try (InputStream in = found.get()) {
                byte[] manifest = in.readNBytes(16 << 20);
                Manifest.Points points = backup.isSet() ? json.get().readValue(manifest, SetManifest.class).points()
                        : json.get().readValue(manifest, Manifest.class).points();
                return Retention.holdsPoints(points == null ? null : points.max());
            }
        } catch (SnapshotFailure | IOException e) {
            return true;
        }
    }

    /**
     * The no-local-copy mode: removes {@code confirmed} (just copied, or null) and every other local snapshot whose
     * off-site copy is confirmed (copied by catch-up, or left by an earlier mode). A restore or drill reading local
     * snapshots meanwhile keeps them all until the next run: nothing is taken from under it.
     *
     * @return whether {@code confirmed} was removed
     */
    private boolean removeConfirmedLocals(SnapshotCatalog.Entry confirmed, List<String> remarks) {
        synchronized (copying) { // the boot's catch-up and a run never remove the same file at once
            List<SnapshotCatalog.Entry> going = new ArrayList<>();
            if (confirmed != null) {
                going.add(confirmed);
            }
            for (SnapshotCatalog.Entry entry : catalog.list()) {
                if (!entry.verified() || (confirmed != null && entry.fileName().equals(confirmed.fileName()))) {
                    continue;
                }
                try {
                    Optional<S3Store.StoredObject> there = store.head(key(entry));
                    if (there.isPresent() && (entry.isSet() ? sameFile(there.get(), entry.manifestFile())
                            : sameSnapshot(there.get(), entry))) {
                        going.add(entry);
                    }
                } catch (SnapshotFailure e) {
                    break; // the next run looks again
                }
            }
            Optional<List<SnapshotCatalog.Entry>> removed = catalog.unlessRead(
                    () -> going.stream().filter(entry -> removeLocal(entry, remarks)).toList());
            if (removed.isEmpty()) {
                remarks.add("The local files confirmed off-site stay until the next run "
                        + "(QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false): a restore or drill is reading local snapshots");
            }
            return confirmed != null && removed.orElse(List.of()).contains(confirmed);
        }
    }

    private boolean removeLocal(SnapshotCatalog.Entry entry, List<String> remarks) {
        try {
            catalog.remove(entry);
            LOG.infof("Removed %s locally: its off-site copy is confirmed (QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false)",
                    entry.fileName());
            return true;
        } catch (IOException e) {
            remarks.add("Could not remove the local " + entry.fileName() + " (QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false): "
                    + SnapshotFileWriter.reason(e));
            return false;
        }
    }

    /** Whether the object is this snapshot, uploaded by us: its size, and the SHA-256 we put in its metadata. */
    private static boolean sameSnapshot(S3Store.StoredObject object, SnapshotCatalog.Entry entry) {
        return object.size() == entry.bytes() && entry.sha256().equals(object.sha256Metadata());
    }

    /** Whether the object holds exactly the small local file (by its SHA-256 checksum, or its size). */
    private static boolean sameFile(S3Store.StoredObject object, Path file) {
        try {
            byte[] content = Files.readAllBytes(file);
            String checksum = S3Store.checksum(content);
            return object.checksumSha256() != null ? checksum.equals(object.checksumSha256())
                    : object.size() == content.length;
        } catch (IOException e) {
            return false;
        }
    }

    private static long millisSince(long start) {
        return Duration.ofNanos(System.nanoTime() - start).toMillis();
    }
}
