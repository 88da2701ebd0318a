package dev.snapshotter.restore;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.snapshotter.config.QdrantConfig;
import dev.snapshotter.offsite.OffsiteCatalog;
import dev.snapshotter.qdrant.CollectionInfo;
import dev.snapshotter.qdrant.QdrantClient;
import dev.snapshotter.qdrant.QdrantException;
import dev.snapshotter.qdrant.ShardPlacement;
import dev.snapshotter.qdrant.SnapshotArchive;
import dev.snapshotter.qdrant.SnapshotDescription;
import dev.snapshotter.restore.RestoreRefused.Kind;
import dev.snapshotter.snapshot.BootSnapshot;
import dev.snapshotter.snapshot.Cancellation;
import dev.snapshotter.snapshot.QdrantSnapshotTarget;
import dev.snapshotter.snapshot.SnapshotReport;
import dev.snapshotter.snapshot.SnapshotService;
import dev.snapshotter.snapshot.SnapshotsHeldException;
import dev.snapshotter.store.Manifest;
import dev.snapshotter.store.SetManifest;
import dev.snapshotter.store.SnapshotCatalog;
import dev.snapshotter.store.SnapshotFailure;
import dev.snapshotter.store.SnapshotFileName;
import dev.snapshotter.store.SnapshotFileWriter;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.DurationConverter;

/**
 * Restores a snapshot of the directory into Qdrant: preflight (the file verifies, checksum and archive; the target
 * Qdrant's version can read it; the target collection does not exist, or matches it when overwriting; no cluster),
 * a streamed multipart upload with {@code priority=snapshot} and the checksum, then post-checks (the collection is
 * green or yellow, its exact count is the one the manifest recorded), the manifest's aliases pointed at it when asked,
 * and the copy Qdrant keeps of every upload deleted. One restore or snapshot at a time: it holds the snapshot runs'
 * single-flight slot.
 */
@ApplicationScoped
@Startup // its counters exist from boot, at 0, as the drills' do: a dashboard and an increase() see them before any restore
public class RestoreService {

    private static final Logger LOG = Logger.getLogger(RestoreService.class);
    private static final Set<String> HEALTHY = Set.of("green", "yellow");
    /**
     * How long a restore into a cluster (a set's, or one snapshot's) waits for every shard to have an Active replica
     * and no transfer left, unless {@code QDRANT_CLUSTER_SETTLE_TIMEOUT} says otherwise.
     */
    static final Duration SET_SETTLE = Duration.ofSeconds(60);
    /** The deadline of each call to Qdrant that a restore or a drill makes, the upload aside. */
    static final Duration CALL = Duration.ofSeconds(30);

    private final SnapshotService runs;
    private final SnapshotCatalog catalog;
    private final QdrantClient qdrant;
    private final QdrantConfig config;
    private final MeterRegistry registry;
    private final OffsiteCatalog offsite;
    private final BootRestoreRecords bootRecords;
    private final BootSnapshot boot;
    private final UnansweredRestores unanswered;

    RestoreService(SnapshotService runs, SnapshotCatalog catalog, QdrantClient qdrant, QdrantConfig config,
            MeterRegistry registry, OffsiteCatalog offsite, BootRestoreRecords bootRecords, BootSnapshot boot,
            UnansweredRestores unanswered) {
        this.unanswered = unanswered;
        this.offsite = offsite;
        this.bootRecords = bootRecords;
        this.boot = boot;
        this.runs = runs;
        this.catalog = catalog;
        this.qdrant = qdrant;
        this.config = config;
        this.registry = registry;
        counter("completed");
        counter("failed");
        counter("refused");
    }

    /**
     * What to restore.
     *
     * @param file a listed snapshot file, or null for the newest verified snapshot of {@code QDRANT_COLLECTION}
     * @param before with no file: take the newest verified snapshot of {@code QDRANT_COLLECTION} taken before this time
     *        (a restore to a point in time: the last backup before a bad write), or null for the newest
     * @param collection the collection to restore into, or null for the one the snapshot was taken of
     * @param overwrite restore into an existing collection (its vector params and shard number must match)
     * @param aliases point the aliases the manifest recorded at the restored collection
     * @param safetySnapshot before overwriting the collection {@code QDRANT_COLLECTION} names, snapshot it (the restore
     *        is refused when that snapshot fails)
     * @param dryRun run every check that comes before the upload (the file re-read whole included) and stop there:
     *        nothing is uploaded, no snapshot is taken, Qdrant is only read
     */
    public record Request(String file, Instant before, String collection, boolean overwrite, boolean aliases,
            boolean safetySnapshot, boolean dryRun) {

        /** The restore the boot runs of a missing collection: its newest snapshot, with its aliases. */
        public static Request newest() {
            return new Request(null, null, null, false, true, true, false);
        }

        /**
         * How long ago, for {@code before}: a whole number of seconds, minutes, hours or days (up to 10 digits), read as
         * the configuration reads durations.
         */
        private static final Pattern AGO = Pattern.compile("\\d{1,10}[smhd]");

        /**
         * Reads the time a restore to a point in time is asked for: in ISO 8601 with its offset, or how long ago
         * ({@code 90m}, {@code 3h}, {@code 2d}).
         *
         * @throws IllegalArgumentException with the sentence that ends "must be ..." when it is not one
         */
        public static Instant before(String value) {
            String ago = value.strip();
            if (AGO.matcher(ago).matches()) {
                return Instant.now().minus(DurationConverter.parseDuration(ago));
            }
            try {
                return OffsetDateTime.parse(ago).toInstant();
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("must be a time with its UTC offset, like 2026-11-24T14:05:00Z or "
                        + "2026-11-24T15:05:00+01:00, or how long ago, like 90m, 3h or 2d, but it is \"" + value + "\"");
            }
        }
    }

    /**
     * What a restore does before it overwrites a collection, once every check before the upload has passed, and as it
     * starts the upload.
     */
    @FunctionalInterface
    interface BeforeOverwrite {
        /** Nothing: a drill's scratch collection never exists, and the drill drops it whatever becomes of it. */
        BeforeOverwrite NOTHING = (target, remarks) -> null;

        /**
         * @return the file of the snapshot taken of {@code target}, or null when none was (a remark says why)
         * @throws RestoreRefused when the snapshot asked for failed: the collection is not overwritten
         */
        String snapshot(String target, List<String> remarks) throws RestoreRefused;

        /** The upload of {@code file} into {@code target} starts (not in a dry run). */
        default void uploading(String file, String target) {
        }

        /**
         * Qdrant has an upload of it into {@code target} whole (a set's: a member's) and restores it in a task of its
         * own, which neither a timeout nor a stop of this process ends; its answer is awaited.
         */
        default void uploadedWhole(String target) {
        }
    }

    /** Restores, taking the single-flight slot (a snapshot or restore going makes it fail at once). */
    public RestoreReport restore(Request request) throws RestoreRefused {
        try (SnapshotService.Run run = runs.begin(SnapshotReport.Reason.RESTORE)) {
            return restoreUnder(run, request);
        }
    }

    /** Restores under a slot the caller holds (an asynchronous request's). */
    public RestoreReport restoreUnder(SnapshotService.Run slot, Request request) throws RestoreRefused {
        return restoreUnder(slot, request, false);
    }

    /**
     * Restores under a slot the caller holds (the boot's: {@code atBoot}, whose restore a later boot checks when it did
     * not end).
     */
    RestoreReport restoreUnder(SnapshotService.Run slot, Request request, boolean atBoot) throws RestoreRefused {
        slot.phase(request.dryRun() ? "checking" : "restoring");
        String[] taken = new String[1];
        String what = request.dryRun() ? "Restore dry run refused: " : "Restore refused: ";
        try (SnapshotCatalog.Reading reading = catalog.reading()) {
            RestoreReport report = restore(request, slot.cancellation(), new BeforeOverwrite() {
                @Override
                public String snapshot(String target, List<String> remarks) throws RestoreRefused {
                    return taken[0] = safetySnapshot(slot, request, target, remarks);
                }

                @Override
                public void uploading(String file, String target) {
                    slot.restoring(file, target);
                }

                @Override
                public void uploadedWhole(String target) {
                    if (!atBoot) { // the boot's own records tell a later boot of its restore
                        unanswered.uploadedWhole(slot.id(), target, request.aliases());
                    }
                }
            });
            if (!request.dryRun()) {
                counter(report.status().label()).increment();
            }
            if (!atBoot && !request.dryRun() && report.status() == RestoreReport.Status.COMPLETED) {
                report = report.remarked(endsBootRestore(report));
            }
            if (!atBoot && !request.dryRun() && report.collection() != null) {
                unanswered.restoredInto(report.collection(), slot.id());
            }
            if (Boolean.TRUE.equals(report.qdrantStillRestoring())) {
                report = report.remarked(atBoot
                        ? "the boot checks collection `" + report.collection() + "` from time to time, and takes it as "
                                + "restored once it holds " + report.file() + " whole; should Qdrant's restore end "
                                + "without that, the boot drops what it left and restores it again (Qdrant 1.16 or "
                                + "later tells when its restore ends, a cluster through every node in "
                                + "QDRANT_CLUSTER_NODES; with another, restart the service once Qdrant's log shows "
                                + "that it ended)"
                        : UnansweredRestores.remark(report));
                if (!atBoot) {
                    unanswered.follow(slot.id(), report, request.aliases());
                }
            }
            slot.finish(report);
            return report;
        } catch (RestoreRefused e) {
            if (!request.dryRun()) {
                counter("refused").increment();
            }
            String kept = taken[0] == null ? "" : " (the snapshot taken first, " + taken[0] + ", is kept)";
            LOG.warnf("%s%s%s", what, e.getMessage(), kept);
            slot.refused(what + e.getMessage() + kept);
            throw e;
        } finally {
            unanswered.answered(slot.id()); // the one followed, if any, is recorded as such
        }
    }

    /**
     * After a completed restore that made the collection {@code QDRANT_COLLECTION} names whole (restored into it, or
     * an alias of that name pointed at what it restored), checked as every restore is: a boot's restore of it that did
     * not end is over, and its records go, so no later boot checks the collection against the newest backup (and drops
     * an older one restored on purpose); a boot that failed on the collection checks it again now. A remark saying so,
     * or null.
     */
    String endsBootRestore(RestoreReport report) {
        String collection = config.collection();
        if (!collection.equals(report.collection()) && !report.aliases().contains(collection)) {
            return null;
        }
        BootRestoreRecords.Found found = bootRecords.find();
        String ended = null;
        if (found.unfinished().isPresent()) {
            String record = "the record of the boot's restore of collection `" + collection + "` that did not end "
                    + "(started " + found.unfinished().get().startedAt() + ")";
            String notRemoved = bootRecords.end(new ArrayList<>(found.bucket()));
            if (notRemoved != null) {
                String stuck = record + ", which this restore ended, is still in the bucket: " + notRemoved
                        + "; delete that object, or a later boot checks collection `" + collection + "` against the "
                        + "newest backup, and drops it unless it holds that whole";
                LOG.warn(stuck);
                return stuck;
            }
            LOG.infof("Removed %s: restoring %s ended it", record, report.file());
            ended = record + " is removed: this restore ended it";
        }
        boolean again = boot.checkAgain("a restore made collection `" + collection + "` whole after the boot's check "
                + "or restore of it had failed");
        if (!again) {
            return ended;
        }
        return ended == null ? "the boot, which had failed on collection `" + collection + "`, checks it again"
                : ended + ", and the boot checks the collection again";
    }

    /** Whether the collection {@code QDRANT_COLLECTION} names (or an alias of that name) exists on Qdrant. */
    boolean configuredCollectionExists(BooleanSupplier cancelled) {
        return exists(config.collection(), cancelled);
    }

    /** Whether {@code collection} exists on Qdrant. */
    boolean exists(String collection, BooleanSupplier cancelled) {
        return qdrant.exists(collection, CALL, cancelled);
    }

    /**
     * Whether Qdrant restores into {@code collection} now, as its telemetry says ({@link QdrantClient#restoring}): of
     * a cluster, each node tells of its own restores only (and {@code QDRANT_URL} may reach another node than the one
     * that took the upload), so every node's, those {@code QDRANT_CLUSTER_NODES} lists, answering as every peer of the
     * cluster. Empty when that cannot stand for a restore this service started: a cluster without {@code
     * QDRANT_CLUSTER_NODES}, or whose nodes there answer as fewer peers than it has, a Qdrant before 1.16, or a key
     * that may not read the cluster status or the telemetry.
     */
    Optional<Boolean> qdrantRestoring(String collection, BooleanSupplier cancelled) {
        try {
            QdrantClient.ClusterStatus status = qdrant.clusterStatus(CALL, cancelled);
            if (!status.enabled()) {
                return qdrant.restoring(collection, CALL, cancelled);
            }
            if (config.cluster().nodes().isEmpty()) {
                return Optional.empty();
            }
            Set<String> peers = new HashSet<>();
            boolean restoring = false;
            for (QdrantClient node : nodesOf(qdrant)) {
                peers.add((node.url().equals(qdrant.url()) ? status : node.clusterStatus(CALL, cancelled)).peerId());
                Optional<Boolean> told = node.restoring(collection, CALL, cancelled);
                if (told.isEmpty()) {
                    return Optional.empty();
                }
                restoring |= told.get();
            }
            return peers.size() < status.peers() ? Optional.empty() : Optional.of(restoring);
        } catch (QdrantException e) {
            if (!e.credentialRefused()) {
                throw e;
            }
            return Optional.empty();
        }
    }

    /**
     * Drops collection {@code target} on {@code at}, which a failed restore created, with the copies of uploads Qdrant
     * keeps of it there: what it holds is not to be taken for the backup's data. Null once dropped; else why it could
     * not be.
     */
    static String dropCreated(QdrantClient at, String target) {
        try {
            dropWithCopies(at, List.of(at), target, SnapshotFileName::isUploadName, RESTORED);
            LOG.warnf("Dropped collection `%s`, which the failed restore had created", target);
            return null;
        } catch (QdrantException e) {
            return e.getMessage();
        }
    }

    /**
     * Drops collection {@code target} on {@code at} after deleting, on each of {@code nodes}, the snapshots of it that
     * {@code ours} accepts by name: Qdrant keeps a dropped collection's snapshots on its disk, where its API no longer
     * reaches them. A collection that is gone already is no failure.
     */
    static void dropWithCopies(QdrantClient at, List<QdrantClient> nodes, String target, Predicate<String> ours,
            BooleanSupplier cancelled) {
        for (QdrantClient node : nodes) {
            deleteCopies(node, target, ours, CALL, cancelled);
        }
        at.deleteCollection(target, CALL, cancelled);
    }

    /**
     * Deletes the snapshots of {@code collection} on {@code node} that {@code which} accepts by name (list, match,
     * DELETE); a collection that is not there has none the API reaches. Returns the names deleted.
     */
    static List<String> deleteCopies(QdrantClient node, String collection, Predicate<String> which, Duration call,
            BooleanSupplier cancelled) {
        List<SnapshotDescription> kept;
        try {
            kept = node.listSnapshots(collection, call, cancelled);
        } catch (QdrantException e) {
            if (e.status() != 404) {
                throw e;
            }
            return List.of();
        }
        List<String> deleted = new ArrayList<>();
        for (SnapshotDescription snapshot : kept) {
            if (which.test(snapshot.name())) {
                node.deleteSnapshot(collection, snapshot.name(), call, cancelled);
                deleted.add(snapshot.name());
            }
        }
        return deleted;
    }

    private Counter counter(String result) {
        return Counter.builder("snapshotter.restores").tag("result", result)
                .description("Restores of a snapshot into Qdrant, by result").register(registry);
    }

    /**
     * Restores what {@code request} picks. A local copy that fails its re-read (bit rot: it is marked so) gives way to
     * its off-site copy, fetched and verified in its place; without one, a request for the newest backup restores the
     * newest sound one instead, saying which it passed over. A named file without a sound copy is refused.
     */
    private RestoreReport restore(Request request, Cancellation cancelled, BeforeOverwrite before)
            throws RestoreRefused {
        boolean named = request.collection() != null && !request.collection().isBlank();
        if (named) {
            requireUploadableName(request.collection()); // before a snapshot is fetched for it
        }
        // a dry run leaves the directory as it was: a snapshot it fetched from the bucket to check goes again
        Set<String> localBefore = request.dryRun() && offsite.enabled()
                ? catalog.list().stream().map(SnapshotCatalog.Entry::fileName).collect(Collectors.toSet())
                : null;
        BeforeOverwrite once = once(before);
        List<String> passedOver = new ArrayList<>();
        SnapshotCatalog.Entry entry = pick(request.file(), request.before());
        while (true) {
            boolean fetched = localBefore != null && !localBefore.contains(entry.fileName());
            Attempt attempt = picked -> restoreAs(picked, named ? request.collection() : null, request, cancelled, once);
            RestoreRefused rotted;
            try {
                // a copy just fetched was verified as it came: no other copy is looked for
                RestoreReport report = fetched ? attempt.on(entry) : onSoundCopy(entry, attempt, "restored");
                return passedOver(fetched ? report.remarked(removeFetched(entry)) : report, passedOver);
            } catch (RestoreRefused e) {
                if (fetched) {
                    removeFetched(entry);
                }
                if (e.verificationProblem() == null || request.file() != null) {
                    throw e;
                }
                rotted = e;
            }
            // the newest backup asked for rotted, with no sound copy: the newest sound one (it is marked, so passed)
            SnapshotCatalog.Entry next;
            try {
                next = pick(null, request.before());
            } catch (RestoreRefused none) {
                throw rotted;
            }
            if (next.fileName().equals(entry.fileName())) {
                throw rotted;
            }
            LOG.warnf("%s; the newest sound backup, %s, is restored instead", rotted.getMessage(), next.fileName());
            passedOver.add(entry.fileName() + " (" + rotted.verificationProblem() + ")");
            entry = next;
        }
    }

    /** A restore (or a drill's) of one snapshot. */
    @FunctionalInterface
    interface Attempt {
        RestoreReport on(SnapshotCatalog.Entry entry) throws RestoreRefused;
    }

    /**
     * {@code attempt} on {@code entry}; when its local copy fails its re-read (bit rot: it is marked so), on its
     * off-site copy instead, fetched and verified in its place, with a remark that says so ({@code done}: restored,
     * drilled). Without a sound copy, the refusal of the local copy stands.
     */
    RestoreReport onSoundCopy(SnapshotCatalog.Entry entry, Attempt attempt, String done) throws RestoreRefused {
        try {
            return attempt.on(entry);
        } catch (RestoreRefused e) {
            Optional<SnapshotCatalog.Entry> sound = e.verificationProblem() == null ? Optional.empty()
                    : soundCopyOf(entry);
            if (sound.isEmpty()) {
                throw e;
            }
            return attempt.on(sound.get()).remarked("the local copy of " + entry.fileName() + " fails verification ("
                    + e.verificationProblem() + "): " + (entry.isSet()
                            ? "the off-site copy of each member that failed was fetched in its place, verified, and "
                                    + "the set "
                            : "its off-site copy was fetched in its place, verified, and ")
                    + done);
        }
    }

    /** Restores {@code entry} as {@code request} asks, into {@code collection} or (null) the one it was taken of. */
    private RestoreReport restoreAs(SnapshotCatalog.Entry entry, String collection, Request request,
            Cancellation cancelled, BeforeOverwrite before) throws RestoreRefused {
        String target = collection != null ? collection : snapshotOf(entry);
        if (collection == null) {
            requireUploadableName(target); // a collection named before Qdrant 1.5 may hold what its upload refuses
        }
        return restoreEntry(qdrant, entry, target, request.overwrite(), request.aliases(), request.dryRun(), true,
                cancelled, before);
    }

    /** {@code report}, remarking the newer backups passed over as failing their re-read, when there are. */
    private static RestoreReport passedOver(RestoreReport report, List<String> passedOver) {
        return passedOver.isEmpty() ? report
                : report.remarked("the newest backup" + (passedOver.size() == 1 ? ", " : "s, ")
                        + String.join(", ", passedOver) + ", fail" + (passedOver.size() == 1 ? "s" : "")
                        + " verification, with no sound copy off-site: " + report.file() + ", the newest sound one, "
                        + "was " + (report.status() == RestoreReport.Status.CHECKED ? "checked" : "restored")
                        + " instead; what was written after it "
                        + "is not in it");
    }

    /** {@code before}, asked at most once: a restore tried again on another copy of its snapshot takes no second one. */
    private static BeforeOverwrite once(BeforeOverwrite before) {
        String[] taken = new String[1];
        boolean[] asked = new boolean[1];
        return new BeforeOverwrite() {
            @Override
            public String snapshot(String target, List<String> remarks) throws RestoreRefused {
                if (!asked[0]) {
                    taken[0] = before.snapshot(target, remarks);
                    asked[0] = true;
                }
                return taken[0];
            }

            @Override
            public void uploading(String file, String target) {
                before.uploading(file, target);
            }

            @Override
            public void uploadedWhole(String target) {
                before.uploadedWhole(target);
            }
        };
    }

    /**
     * The off-site copy of {@code entry}, whose local copy failed its re-read (and is marked so), fetched and verified
     * in its place (of a set, of the members that rotted); empty when there is none, or it could not be had (said at WARN): the
     * refusal of the local copy stands.
     */
    private Optional<SnapshotCatalog.Entry> soundCopyOf(SnapshotCatalog.Entry entry) {
        try {
            Optional<SnapshotCatalog.Entry> sound = offsite.replaceRotted(entry);
            sound.ifPresent(fetched -> LOG.warnf("The local copy of %s fails verification: its off-site copy was "
                    + "fetched in its place", entry.fileName()));
            return sound;
        } catch (SnapshotFailure e) {
            LOG.warnf("The local copy of %s fails verification, and its off-site copy could not be had in its place: "
                    + "%s", entry.fileName(), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * After one snapshot was restored into a cluster of several nodes: a remark, also logged (INFO), when the node it
     * was uploaded to holds more of {@code target}'s shard replicas than an even spread over the peers gives it, as
     * {@code placement} (the settled one) says. Qdrant restores every shard of the snapshot on that node and does not
     * spread them again. Null otherwise.
     */
    private static String unevenSpread(ShardPlacement placement, String target) {
        int peers = placement.peers();
        if (placement.mode() != ShardPlacement.Mode.DISTRIBUTED || peers < 2) {
            return null;
        }
        long here = placement.replicasOn(placement.peerId());
        long even = (placement.replicaCount() + peers - 1) / peers;
        if (here <= even) {
            return null;
        }
        String remark = "Peer " + placement.peerId() + ", the node the snapshot was uploaded to (QDRANT_URL), holds "
                + here + " of the " + placement.replicaCount() + " shard replicas of `" + target + "`, where an even "
                + "spread over the cluster's " + peers + " peers gives it " + even + ": Qdrant restores every shard of "
                + "a snapshot on the node it is uploaded to, and does not spread them again; move shards (POST "
                + "/collections/" + target + "/cluster, move_shard) to balance the load";
        LOG.info(remark);
        return remark;
    }

    /** Removes what a dry run fetched from the bucket to check; says so (INFO, and the remark returned). */
    private String removeFetched(SnapshotCatalog.Entry entry) {
        String remark;
        try {
            catalog.remove(entry);
            remark = "Fetched " + entry.fileName() + " from the bucket to check it, and removed it again: a dry run "
                    + "leaves the directory as it was";
        } catch (IOException e) {
            remark = "Fetched " + entry.fileName() + " from the bucket to check it, but could not remove it again: "
                    + SnapshotFileWriter.reason(e);
        }
        LOG.info(remark);
        return remark;
    }

    /**
     * The snapshot of {@code target} taken before it is overwritten, through the pipeline of every run (verified, in
     * the catalog, copied off-site), when it is the collection {@code QDRANT_COLLECTION} names (or its alias points
     * at); a failure refuses the restore with that snapshot's status, the collection untouched. Left out, with a
     * remark, when the request says so or the target is a collection this service does not back up.
     */
    private String safetySnapshot(SnapshotService.Run slot, Request request, String target, List<String> remarks)
            throws RestoreRefused {
        String configured = config.collection();
        String none = request.dryRun() ? "A restore would take no snapshot of `" + target + "` before overwriting it"
                : "No snapshot of `" + target + "` was taken before it was overwritten";
        if (!request.safetySnapshot()) {
            remarks.add(none + " (safetySnapshot: false)");
            return null;
        }
        boolean ours;
        try {
            ours = target.equals(configured) || target.equals(qdrant.aliases(CALL,
                    slot.cancellation()::cancelled).get(configured));
        } catch (QdrantException e) {
            throw new RestoreRefused(QdrantSnapshotTarget.failure(e).kind(), "The restore was not started: whether `"
                    + target + "` is the collection QDRANT_COLLECTION names could not be told: " + e.getMessage());
        }
        if (!ours) {
            remarks.add(none + ": this service backs up `" + configured + "` (QDRANT_COLLECTION) only");
            return null;
        }
        if (request.dryRun()) {
            remarks.add("A restore would snapshot `" + target + "` first (safetySnapshot), and be refused if that "
                    + "snapshot failed");
            return null;
        }
        LOG.infof("Restore: taking a snapshot of `%s` before it is overwritten", target);
        SnapshotReport report;
        try {
            report = slot.snapshotBeforeRestore();
        } catch (SnapshotsHeldException e) {
            throw new RestoreRefused(Kind.CONFLICT, "The restore was not started: the snapshot of `" + target
                    + "` to take before overwriting it is refused. " + e.getMessage() + ". `" + target + "` is "
                    + "untouched; ask again with safetySnapshot false (--no-safety-snapshot) to overwrite it without one");
        }
        List<String> files = new ArrayList<>();
        for (SnapshotReport.TargetReport taken : report.targets()) {
            boolean kept = taken.status() == SnapshotReport.Status.COMPLETED
                    || (taken.status() == SnapshotReport.Status.FAILED && "offsite".equals(taken.stage()));
            if (!kept) {
                String why = "The restore was not started: the snapshot of `" + target + "` taken before overwriting "
                        + "it " + taken.status().label() + ": " + taken.message() + ". `" + target + "` is untouched; "
                        + "ask again with safetySnapshot false (--no-safety-snapshot) to overwrite it without one";
                throw taken.failure() == null ? new RestoreRefused(Kind.CONFLICT, why)
                        : new RestoreRefused(taken.failure(), why);
            }
            if (taken.status() == SnapshotReport.Status.FAILED) {
                remarks.add("The snapshot taken before the restore: " + taken.message()); // kept locally, not off-site
            }
            files.add(Path.of(taken.filePath()).getFileName().toString());
        }
        return String.join(", ", files);
    }

    /**
     * The cancellation of what follows a restore Qdrant has done (or an upload it took part of): none. A cancel then
     * would leave a restored collection unchecked, its aliases not pointed and Qdrant's copy of the upload on its disk.
     */
    static final BooleanSupplier RESTORED = () -> false;

    /** Why a cancel is refused once Qdrant has the upload whole. */
    static final String UPLOADED = "Qdrant has the snapshot whole and is restoring it; the restore, its checks and "
            + "its clean-up run to their end";

    /** What Qdrant's upload refuses in a collection name (its {@code StrictCollectionPath}). */
    private static final String REFUSED_IN_NAMES = "<>:\"/\\|?*\0\u001f";
    private static final int MAX_NAME_CHARS = 255;

    /**
     * A target name Qdrant's upload takes: 1 to 255 characters, none of {@code < > : " / \ | ? *}, NUL or U+001F.
     * Qdrant answers anything else with 422 once the upload has begun; refused here, nothing is sent.
     */
    static void requireUploadableName(String target) throws RestoreRefused {
        String rule = "; a collection name has 1 to " + MAX_NAME_CHARS + " characters, none of < > : \" / \\ | ? *, "
                + "NUL or U+001F";
        int length = target.codePointCount(0, target.length());
        if (length > MAX_NAME_CHARS) {
            throw new RestoreRefused(Kind.INVALID, "Qdrant does not take a collection name of " + length
                    + " characters" + rule);
        }
        OptionalInt refused = target.codePoints()
                .filter(c -> REFUSED_IN_NAMES.indexOf(c) >= 0).findFirst();
        if (refused.isPresent()) {
            int c = refused.getAsInt();
            throw new RestoreRefused(Kind.INVALID, "Qdrant does not take `" + target.replaceAll("\\p{Cntrl}", "?")
                    + "` as a collection name: it holds " + (Character.isISOControl(c)
                            ? String.format("the control character U+%04X", c)
                            : "`" + new String(Character.toChars(c)) + "`")
                    + rule);
        }
    }

    /**
     * How long a restore into a cluster waits for every shard to have an {@code Active} replica and no transfer left:
     * {@code QDRANT_CLUSTER_SETTLE_TIMEOUT}, or {@link #SET_SETTLE} when that is {@code 0s} (refuse at once, which
     * suits a backup run, not a restore Qdrant has already done).
     */
    private Duration settleTimeout() {
        return config.cluster().settleTimeout().isZero() ? SET_SETTLE : config.cluster().settleTimeout();
    }

    /**
     * The refusal of a custom-sharded backup restored into a collection Qdrant would create: Qdrant restores no point
     * into one (Qdrant issue 10135), so the collection and its shard keys must exist first.
     *
     * @param keys where its config and shard keys are written
     */
    static RestoreRefused customShardedIntoNew(String fileName, String target, String keys) {
        return new RestoreRefused(Kind.CONFLICT, fileName + " is custom-sharded: Qdrant restores no point into a "
                + "collection it creates from such a snapshot (Qdrant issue 10135); create collection `" + target
                + "` with " + keys + " first, then restore with overwrite");
    }

    /** The collection a snapshot was taken of. */
    static String snapshotOf(SnapshotCatalog.Entry entry) {
        return Optional.ofNullable(entry.manifest() == null ? null : entry.manifest().collectionName())
                .orElse(entry.collection());
    }

    /**
     * The nodes a set restored on {@code at} is uploaded to, one member per node: those {@code QDRANT_CLUSTER_NODES}
     * lists when {@code at} is the Qdrant of {@code QDRANT_URL}; a drill's own Qdrant alone takes them all.
     */
    List<QdrantClient> nodesOf(QdrantClient at) {
        return at == qdrant && config.cluster().nodes().isPresent()
                ? config.cluster().nodes().get().urls().stream().map(qdrant::at).toList()
                : List.of(at);
    }

    /**
     * Every step of a restore of {@code entry} into {@code target} on the Qdrant {@code at}, the preflight's refusals
     * thrown; a dry run stops after the checks that come before the upload, the file re-read whole among them.
     *
     * @param spreadRemark a completed restore of one snapshot into a cluster of several nodes says when the node
     *        uploaded to holds more than its share of the replicas (not a drill's: its scratch collection is dropped)
     */
    RestoreReport restoreEntry(QdrantClient at, SnapshotCatalog.Entry entry, String target, boolean overwrite,
            boolean restoreAliases, boolean dryRun, boolean spreadRemark, Cancellation cancelled,
            BeforeOverwrite before)
            throws RestoreRefused {
        if (entry.isSet()) {
            return new SetRestore(catalog, config.snapshot().timeout(), settleTimeout()).restore(nodesOf(at), entry,
                    target, overwrite, restoreAliases, dryRun, cancelled, before);
        }
        RestoreAttempt attempt = new RestoreAttempt(entry, target);
        SnapshotArchive.Facts facts = entry.manifest() == null || dryRun ? null
                : SnapshotArchive.Facts.fromJson(entry.manifest().archive());
        if (facts == null) { // a dry run re-reads the file here, as the restore would during its upload
            SnapshotArchive archive = new SnapshotArchive();
            try {
                requireVerified(entry, verify(entry, archive, OutputStream.nullOutputStream()));
            } catch (UncheckedIOException e) {
                throw new RestoreRefused(Kind.UNPROCESSABLE, entry.fileName() + " could not be read: "
                        + SnapshotFileWriter.reason(e.getCause()));
            }
            attempt.verifyMs = attempt.millis();
            facts = archive.facts();
        }
        attempt.facts = facts;
        if (!facts.shardsWithData().containsAll(facts.shards())) {
            throw new RestoreRefused(Kind.UNPROCESSABLE, entry.fileName() + " holds data for shards "
                    + facts.shardsWithData() + " of " + facts.shards() + " only (a node's part of a cluster); "
                    + "Qdrant would refuse it, so it is not restored");
        }
        // into a cluster (the Qdrant Helm chart's default, one node included), the node uploaded to restores every
        // shard the snapshot holds (Qdrant's per-node restore); the post-checks wait for the replicas to settle
        boolean cluster;
        boolean replacing;
        try {
            cluster = at.clusterStatus(CALL, cancelled).enabled();
            String version = at.version(CALL, cancelled).version();
            requireCompatible(version, facts.qdrantVersion(), entry.fileName());
            replacing = requireRestorableInto(at, target, overwrite, facts, CALL, cancelled);
            attempt.version = version;
        } catch (QdrantException e) {
            return attempt.failed("The restore was not started: " + e.getMessage());
        }
        if (facts.customSharded() && !replacing) {
            throw customShardedIntoNew(entry.fileName(), target, "the snapshot's config and shard keys (its "
                    + "manifest's collection.config, and shard_key_mapping.json in the snapshot)");
        }
        Manifest.Points points = entry.manifest() == null ? null : entry.manifest().points();
        attempt.expected = points == null ? null : points.min();
        attempt.expectedMax = points == null ? null : points.max();
        attempt.overwritten = replacing;
        if (replacing) {
            attempt.safetySnapshot = before.snapshot(target, attempt.remarks);
        }
        if (dryRun) {
            return attempt.checked(restoreAliases && entry.manifest() != null ? entry.manifest().aliases() : null);
        }
        before.uploading(entry.fileName(), target);

        String uploadName = SnapshotFileName.uploadName(entry.fileName(), null);
        long uploadStart = System.nanoTime();
        LOG.infof("Restore started: file=%s collection=%s overwrite=%s qdrant=%s", entry.fileName(), target,
                overwrite, attempt.version);
        boolean verifyWhileUploading = attempt.verifyMs == null;
        SnapshotCatalog.Verification[] verified = new SnapshotCatalog.Verification[1];
        boolean[] sentWhole = new boolean[1];
        try {
            boolean sent = at.uploadSnapshot(target, uploadName, entry.sha256(), entry.bytes(),
                    config.snapshot().timeout(), cancelled, out -> {
                        boolean whole = true;
                        if (verifyWhileUploading) {
                            verified[0] = verify(entry, new SnapshotArchive(), out);
                            whole = verified[0].verified();
                        } else {
                            Files.copy(entry.file(), out);
                        }
                        if (whole) {
                            cancelled.noLongerStoppable(UPLOADED);
                            before.uploadedWhole(target);
                        }
                        sentWhole[0] = whole;
                        return whole;
                    });
            if (!sent) {
                requireVerified(entry, verified[0]); // throws: the upload was cut because the file failed
            }
        } catch (QdrantClient.BodyFailed e) {
            throw new RestoreRefused(Kind.UNPROCESSABLE, entry.fileName() + " could not be read: "
                    + SnapshotFileWriter.reason(e.getCause()));
        } catch (QdrantException e) {
            attempt.uploadDeleted = deleteUploadedCopy(at, target, uploadName, CALL, attempt.remarks);
            attempt.uploadMs = (System.nanoTime() - uploadStart) / 1_000_000;
            return attempt.failed("The upload failed: " + e.getMessage()
                    + attempt.afterUploadFailed(e, sentWhole[0], entry.fileName()));
        }
        attempt.uploadMs = (System.nanoTime() - uploadStart) / 1_000_000;
        // Qdrant has restored it: a cancel stops nothing from here, the checks and the clean-up run to their end
        attempt.uploadDeleted = deleteUploadedCopy(at, target, uploadName, CALL, attempt.remarks);

        Checked checked = checkRestored(at, target, facts, points, cluster,
                restoreAliases && entry.manifest() != null ? entry.manifest().aliases() : null, attempt);
        if (checked.problem() != null) {
            return attempt.failed(checked.problem());
        }
        RestoreReport report = attempt.completed();
        LOG.infof("Restore completed: file=%s collection=%s points=%d aliases=%s duration=%dms", entry.fileName(),
                target, attempt.found, attempt.aliases, report.durationMs());
        String spread = spreadRemark && checked.settled() != null ? unevenSpread(checked.settled(), target) : null;
        return spread == null ? report : report.remarked(spread);
    }

    /**
     * Takes collection {@code target}, which a restore of {@code entry} that did not end left on Qdrant (the process
     * stopped once Qdrant had the upload, or the upload timed out while Qdrant went on restoring it), for that restore
     * completed when it holds the backup whole: the checks a restore runs once Qdrant has answered its upload pass
     * (a set's, for a set). Its aliases (with {@code aliases}) are then pointed at it and the copies of uploads Qdrant
     * keeps of it deleted, as at a restore's end. A backup that recorded no point count is never taken so (nothing
     * would tell part of it from all of it); one whose manifest lacks the snapshot's vectors is read whole for them, as
     * its restore would read it. Nothing is dropped here.
     *
     * @return completed, or failed with what tells it from the backup
     * @throws QdrantException when Qdrant failed a call the checks need: nothing tells whether it is whole then
     */
    RestoreReport adoptLeft(SnapshotCatalog.Entry entry, String target, boolean aliases,
            BooleanSupplier cancelled) {
        RestoreAttempt attempt = new RestoreAttempt(entry, target);
        List<QdrantClient> nodes = nodesOf(qdrant);
        Checked checked;
        if (entry.isSet()) {
            SetManifest manifest;
            try {
                manifest = catalog.setManifest(entry);
            } catch (IOException e) {
                return attempt.failed(entry.fileName() + " could not be read: " + e.getMessage());
            }
            attempt.expected = manifest.points() == null ? null : manifest.points().min();
            attempt.expectedMax = manifest.points() == null ? null : manifest.points().max();
            if (attempt.expected == null) {
                return attempt.failed(entry.fileName() + " recorded no point count to check it against");
            }
            checked = SetRestore.checkRestored(nodes.get(0), target, manifest.shards(), settleTimeout(),
                    aliases ? manifest.aliases() : null, attempt);
        } else {
            Manifest manifest = entry.manifest();
            SnapshotArchive.Facts facts = manifest == null ? null : SnapshotArchive.Facts.fromJson(manifest.archive());
            Manifest.Points points = manifest == null ? null : manifest.points();
            attempt.expected = points == null ? null : points.min();
            attempt.expectedMax = points == null ? null : points.max();
            if (attempt.expected == null) {
                return attempt.failed(entry.fileName() + " recorded no point count to check it against");
            }
            if (facts == null) { // a manifest without them: read from the file, as a restore reads them
                SnapshotArchive archive = new SnapshotArchive();
                try {
                    requireVerified(entry, verify(entry, archive, OutputStream.nullOutputStream()));
                } catch (UncheckedIOException e) {
                    return attempt.failed(entry.fileName() + " could not be read: "
                            + SnapshotFileWriter.reason(e.getCause()));
                } catch (RestoreRefused e) {
                    return attempt.failed(e.getMessage());
                }
                attempt.verifyMs = attempt.millis();
                facts = archive.facts();
            }
            attempt.facts = facts;
            boolean cluster = qdrant.clusterStatus(CALL, cancelled).enabled();
            checked = checkRestored(qdrant, target, facts, points, cluster, aliases ? manifest.aliases() : null,
                    attempt);
        }
        if (checked.failed() != null) {
            throw checked.failed(); // nothing tells whether it is whole
        }
        if (checked.problem() != null) {
            return attempt.failed(checked.problem());
        }
        boolean deleted = true;
        for (QdrantClient node : nodes) {
            try {
                deleteCopies(node, target, SnapshotFileName::isUploadName, CALL, RESTORED);
            } catch (QdrantException e) {
                deleted = false;
                attempt.remarks.add("The copies Qdrant keeps of uploads into `" + target + "` could not be deleted on "
                        + node.url() + ": " + e.getMessage());
            }
        }
        attempt.uploadDeleted = deleted;
        RestoreReport report = attempt.completed();
        counter("completed").increment(); // Qdrant completed it; the restore that sent it counted no completion
        LOG.infof("Restore completed: %s=%s collection=%s points=%d aliases=%s (left by a restore that did not end, "
                + "and found whole)", entry.isSet() ? "set" : "file", entry.fileName(), target, attempt.found,
                attempt.aliases);
        return report;
    }

    /**
     * What the checks after a restore found: the placement the replicas settled on (a cluster's, when read), the
     * problem (null: none), and the failure of Qdrant that cut them short, if one did (then the problem says so).
     */
    record Checked(ShardPlacement settled, String problem, QdrantException failed) {
    }

    /**
     * The checks once Qdrant has restored a snapshot with {@code facts} into {@code target}, whose manifest recorded
     * {@code points}: the replicas settled (a cluster; waited for), the collection healthy, its vectors the
     * snapshot's, its exact point count the recorded one, the sampled ids there; what they found is put on
     * {@code attempt}. When they pass, {@code aliases} (null: none) are pointed at it and set on {@code attempt}. A
     * cancel stops none of it.
     */
    private Checked checkRestored(QdrantClient at, String target, SnapshotArchive.Facts facts, Manifest.Points points,
            boolean cluster, List<String> aliases, RestoreAttempt attempt) {
        String problem = null;
        ShardPlacement settled = null;
        QdrantException failed = null;
        try {
            if (cluster) {
                SetRestore.Settled wait = SetRestore.settled(at, target, facts.shards(), settleTimeout());
                settled = wait.placement();
                problem = wait.problem();
            }
            CollectionInfo info = at.collectionInfo(target, CALL, RESTORED);
            String status = info.statusText();
            if (!HEALTHY.contains(String.valueOf(status))) {
                problem = append(problem, "Collection `" + target + "` is " + status + " after the restore (green or "
                        + "yellow expected)");
            }
            JsonNode vectors = info.vectors();
            if (vectors != null && !vectors.equals(facts.vectors())) {
                problem = append(problem, "Collection `" + target + "` has vectors " + vectors + " after the restore, "
                        + "but the snapshot has " + facts.vectors());
            }
            attempt.found = at.countPoints(target, CALL, RESTORED);
            problem = append(problem, countProblem(target, attempt.found, attempt.expected, attempt.expectedMax,
                    "manifest", "snapshot", attempt.remarks));
            List<JsonNode> sample = points == null ? null : points.sample();
            if (sample != null && !sample.isEmpty() && points.count() != null) {
                List<JsonNode> ids = new ArrayList<>(sample);
                List<JsonNode> there = at.existingPointIds(target, ids, CALL, RESTORED);
                List<JsonNode> missing = ids.stream().filter(id -> !there.contains(id)).toList();
                attempt.sampleChecked = ids.size();
                if (!missing.isEmpty()) {
                    attempt.sampleMissing = missing.size();
                    problem = append(problem, missing.size() + " of the " + ids.size() + " points whose ids were "
                            + "recorded at snapshot time are missing after the restore: " + missing);
                }
            }
            if (problem == null) {
                attempt.aliases = pointAliases(at, target, aliases, CALL, RESTORED);
            }
        } catch (QdrantException e) {
            failed = e;
            problem = append(problem, "The post-restore checks failed: " + e.getMessage());
        } catch (RestoreRefused e) {
            problem = append(problem, e.getMessage());
        }
        return new Checked(settled, problem, failed);
    }

    /** Re-reads the file once (its checksum and the archive check), copying it to {@code copy} as it goes. */
    private SnapshotCatalog.Verification verify(SnapshotCatalog.Entry entry, SnapshotArchive archive,
            OutputStream copy) {
        try {
            return catalog.verify(entry, archive, copy);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void requireVerified(SnapshotCatalog.Entry entry, SnapshotCatalog.Verification verification)
            throws RestoreRefused {
        if (!verification.verified()) {
            throw RestoreRefused.failedVerification(entry.fileName(), verification.problem() != null
                    ? verification.problem()
                    : "it hashes to " + verification.sha256() + " but its checksum file says " + verification.expected());
        }
    }

    /**
     * The listed file, or the newest verified snapshot of {@code QDRANT_COLLECTION} (or of what it was taken as), taken
     * before {@code before} when that is not null. With off-site copies on, a snapshot only off-site (named, or newer
     * than every local one) is fetched first, verified, into the directory; when that fetch fails, a local snapshot
     * stands in if there is one.
     */
    SnapshotCatalog.Entry pick(String file, Instant before) throws RestoreRefused {
        if (file != null && !file.isBlank()) {
            Optional<SnapshotCatalog.Entry> local = catalog.find(file);
            if (local.isPresent() && (local.get().verified() || !offsite.enabled())) {
                return local.get();
            }
            if (local.isPresent()) { // marked as failing its re-read: its off-site copy, when there is one
                return soundCopyOf(local.get()).orElse(local.get());
            }
            Optional<OffsiteCatalog.Remote> remote = offsite.enabled() ? remote(() -> offsite.findRemote(file))
                    : Optional.empty();
            if (remote.isPresent()) {
                return fetch(remote.get());
            }
            throw new RestoreRefused(Kind.NOT_FOUND, "No listed snapshot is named " + file + " (see GET /api/snapshots)");
        }
        String configured = config.collection();
        Instant now = Instant.now();
        // a name from a clock ahead is never the newest; before a point in time, strictly before it
        Predicate<Instant> inTime = before == null ? at -> !at.isAfter(now)
                : at -> !at.isAfter(now) && at.isBefore(before);
        Optional<SnapshotCatalog.Entry> local = catalog.newestBackupOf(configured, inTime);
        String taken = before == null ? "" : " taken before " + before;
        if (offsite.enabled()) {
            // a snapshot taken through an alias carries the real collection's name, and its manifest the alias
            Optional<OffsiteCatalog.Remote> newer = remote(() -> offsite.newestBackupOf(configured,
                    at -> inTime.test(at) && local.map(l -> at.isAfter(l.createdAt())).orElse(true)));
            if (newer.isPresent()) {
                try {
                    OffsiteCatalog.Remote found = offsite.findRemote(newer.get().fileName()).orElseThrow(
                            () -> new SnapshotFailure(SnapshotFailure.Kind.OFFSITE, "it has no SHA-256 recorded"));
                    return offsite.fetch(found, SnapshotArchive::new);
                } catch (SnapshotFailure e) {
                    if (local.isEmpty()) {
                        throw new RestoreRefused(e.kind(), "The newest snapshot of `" + configured + "`" + taken
                                + ", "
                                + newer.get().fileName() + ", is only off-site and could not be fetched: "
                                + e.getMessage());
                    }
                    LOG.warnf("The newest snapshot of `%s`%s, %s, is only off-site and could not be fetched (%s); "
                            + "the newest local one, %s, is used", configured, taken, newer.get().fileName(), e.getMessage(),
                            local.get().fileName());
                }
            }
        }
        return local.orElseThrow(() -> new RestoreRefused(Kind.NOT_FOUND, "No verified snapshot of `" + configured
                + "` (QDRANT_COLLECTION)" + taken + " is in "
                + config.snapshot().dir() + (offsite.enabled() ? " or off-site" : "")));
    }

    @FunctionalInterface
    private interface Lookup<T> {
        T find() throws SnapshotFailure;
    }

    /** An off-site lookup; the store failing it is a refusal that says so. */
    private static <T> T remote(Lookup<T> lookup) throws RestoreRefused {
        try {
            return lookup.find();
        } catch (SnapshotFailure e) {
            throw new RestoreRefused(e.kind(), "The off-site snapshots could not be looked at: " + e.getMessage());
        }
    }

    private SnapshotCatalog.Entry fetch(OffsiteCatalog.Remote remote) throws RestoreRefused {
        try {
            return offsite.fetch(remote, SnapshotArchive::new);
        } catch (SnapshotFailure e) {
            String message = remote.fileName() + " is only off-site and could not be fetched: " + e.getMessage();
            throw e.kind() == SnapshotFailure.Kind.VERIFICATION ? new RestoreRefused(Kind.UNPROCESSABLE, message)
                    : new RestoreRefused(e.kind(), message);
        }
    }

    /**
     * Whether {@code target} may be restored into on {@code at}: not an alias, and when it exists, only with
     * {@code overwrite} and the snapshot's vectors and shard number.
     *
     * @return whether the restore overwrites an existing collection
     */
    static boolean requireRestorableInto(QdrantClient at, String target, boolean overwrite, SnapshotArchive.Facts facts,
            Duration call, BooleanSupplier cancelled) throws RestoreRefused {
        Map<String, String> aliases = at.aliases(call, cancelled);
        if (aliases.containsKey(target)) {
            throw new RestoreRefused(Kind.CONFLICT, "`" + target + "` is an alias of collection `"
                    + aliases.get(target) + "` on Qdrant; restore into a collection name");
        }
        if (at.exists(target, call, cancelled)) {
            if (!overwrite) {
                throw new RestoreRefused(Kind.CONFLICT, "Collection `" + target + "` exists on Qdrant at "
                        + at.url() + "; restore into another name, or ask to overwrite it");
            }
            requireMatching(target, at.collectionInfo(target, call, cancelled), facts);
            return true;
        }
        return false;
    }

    /**
     * The problem with the point count found after a restore, or null when it lies within what was recorded; with no
     * recorded count, a remark says it was not checked.
     *
     * @param record where the count was recorded ({@code manifest}, {@code set}); {@code taken} what was taken
     */
    static String countProblem(String target, long found, Long expected, Long expectedMax, String record,
            String taken, List<String> remarks) {
        if (expected == null) {
            remarks.add("The " + record + " recorded no point count: the count found (" + found + ") was not checked");
            return null;
        }
        if (withinRecord(found, expected, expectedMax)) {
            return null;
        }
        String wanted = expected.equals(expectedMax) ? String.valueOf(expected)
                : "between " + expected + " and " + expectedMax;
        return "Collection `" + target + "` has " + found + " points after the restore, but the " + taken
                + " was taken with " + wanted;
    }

    /** Whether a count found after a restore is one the backup recorded: between the counts around its create. */
    static boolean withinRecord(long found, long expected, long expectedMax) {
        return found >= expected && found <= expectedMax;
    }

    /** Points every alias the backup recorded at the restored collection; returns them, in their order. */
    static List<String> pointAliases(QdrantClient at, String target, List<String> aliases, Duration call,
            BooleanSupplier cancelled) {
        List<String> pointed = new ArrayList<>();
        Map<String, String> now = at.aliases(call, cancelled);
        for (String name : aliases == null ? List.<String> of() : aliases) {
            if (!target.equals(now.get(name))) {
                at.pointAlias(name, target, now.containsKey(name), call, cancelled);
            }
            pointed.add(name);
        }
        return pointed;
    }

    /** Qdrant restores a snapshot into the minor version that wrote it or the next one, never into an older one. */
    static void requireCompatible(String target, String written, String file) throws RestoreRefused {
        int[] t = minor(target);
        int[] w = minor(written);
        if (t == null || w == null) {
            throw new RestoreRefused(Kind.CONFLICT, "The versions cannot be compared (Qdrant runs `" + target
                    + "`, " + file + " was written by `" + written + "`); refusing to restore");
        }
        if (t[0] != w[0] || t[1] < w[1] || t[1] > w[1] + 1) {
            String next = w[0] + "." + (w[1] + 1) + ".x";
            throw new RestoreRefused(Kind.CONFLICT, file + " was written by Qdrant " + written + "; it restores only "
                    + "into " + w[0] + "." + w[1] + ".x or " + next + ", and Qdrant runs " + target
                    + (t[0] == w[0] && t[1] > w[1] + 1 ? ": restore it into a Qdrant " + next + " first (a throwaway "
                            + "one will do), snapshot the collection there, and restore that snapshot here, one minor "
                            + "version at a time" : ""));
        }
    }

    private static int[] minor(String version) {
        if (version == null) {
            return null;
        }
        String[] parts = version.strip().split("\\.");
        try {
            return parts.length < 2 ? null : new int[] { Integer.parseInt(parts[0]), Integer.parseInt(parts[1]) };
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Qdrant restores into an existing collection only when its vectors and shard number are the snapshot's. */
    static void requireMatching(String target, CollectionInfo info, SnapshotArchive.Facts facts)
            throws RestoreRefused {
        if (info.config() == null || !Objects.equals(info.vectors(), facts.vectors())) {
            throw new RestoreRefused(Kind.CONFLICT, "Collection `" + target + "` has vectors "
                    + (info.config() == null ? "unknown" : info.vectors()) + " but the snapshot has "
                    + facts.vectors() + "; Qdrant cannot restore it over that collection");
        }
        if (info.shardNumber() != facts.shardNumber()) {
            throw new RestoreRefused(Kind.CONFLICT, "Collection `" + target + "` has " + info.shardNumber()
                    + " shards but the snapshot has " + facts.shardNumber()
                    + "; Qdrant cannot restore it over that collection");
        }
    }

    /**
     * Qdrant keeps every uploaded file in the collection's snapshot directory: it is deleted (list, match, DELETE),
     * or a remark says it could not be.
     */
    static Boolean deleteUploadedCopy(QdrantClient at, String collection, String uploadName, Duration call,
            List<String> remarks) {
        try {
            deleteCopies(at, collection, uploadName::equals, call, RESTORED);
            return true;
        } catch (QdrantException e) {
            remarks.add("The copy Qdrant keeps of the upload (" + uploadName + ") could not be deleted: "
                    + e.getMessage());
            return false;
        }
    }

    /**
     * Whether an upload that failed so may still be restored by Qdrant: it had all of it ({@code sentWhole}), and got
     * no answer of Qdrant's (a timeout, a connection that ended, a proxy's 502 or 504). Qdrant restores an upload in a
     * task of its own that neither stops ({@code wait=true}: qdrant-snapshot-api.md §1.2), so the target may yet be
     * written, unchecked by this restore. An answer of Qdrant's own is final.
     */
    static boolean mayStillRestore(QdrantException e, boolean sentWhole) {
        return sentWhole && (e.kind() == QdrantException.Kind.TIMEOUT || e.kind() == QdrantException.Kind.UNREACHABLE
                || (e.kind() == QdrantException.Kind.REJECTED && (e.status() == 502 || e.status() == 504)));
    }

    /** What {@link #mayStillRestore} means, said after the upload's failure. */
    static String stillRestoring(String file, String target) {
        return ". Qdrant had all of " + file + ", and restores it in a task that neither a timeout nor a closed "
                + "connection stops: collection `" + target + "` may yet be written with it, unchecked by this restore; "
                + "give the upload more time than Qdrant takes to restore it (QDRANT_SNAPSHOT_TIMEOUT, and the read "
                + "timeout of a proxy in front of Qdrant)";
    }

    static String append(String problem, String more) {
        return problem == null ? more : more == null ? problem : problem + "; " + more;
    }
}
