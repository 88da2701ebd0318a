package dev.snapshotter.restore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.snapshotter.config.QdrantConfig;
import dev.snapshotter.qdrant.QdrantClient;
import dev.snapshotter.qdrant.QdrantException;
import dev.snapshotter.snapshot.BootStep;
import dev.snapshotter.snapshot.SnapshotService;
import dev.snapshotter.store.SnapshotCatalog;
import dev.snapshotter.store.SnapshotFileName;

/**
 * {@code QDRANT_SNAPSHOT_RESTORE_IF_MISSING}: at boot, when the collection {@code QDRANT_COLLECTION} names does not
 * exist on Qdrant, restores the newest verified snapshot of it (its aliases with it) before startup goes UP, so the
 * app beside this one starts on its data. A first deployment, with no snapshot yet, boots as without the option. A
 * restore that finds other points than the backup's (another count, sampled ids missing) drops the collection it
 * created again. A restore is recorded in the directory (and in the bucket, for a pod whose directory does not outlive
 * it: {@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false}) until it has ended: a collection found beside the record of one that
 * did not (the process stopped, the upload timed out while Qdrant went on restoring) is checked as a restore checks
 * what it restored: holding the backup whole, it is taken as restored; otherwise it may hold part of the backup only,
 * so it is dropped and restored again rather than taken for the collection. An upload Qdrant had whole but did not
 * answer in time is waited for: the boot checks the collection from time to time, never uploading again nor dropping
 * it while Qdrant may still be writing it, and takes it as restored once whole. Startup never goes UP while the bucket
 * records as under way a restore of the collection that this boot could not clear.
 */
@ApplicationScoped
class BootRestore implements BootStep {

    private static final Logger LOG = Logger.getLogger(BootRestore.class);

    private final RestoreService restores;
    private final QdrantClient qdrant;
    private final BootRestoreRecords records;
    private final QdrantConfig config;
    /** The bucket's records of boot restores under way of the collection on this Qdrant: this boot's, earlier ones'. */
    private final List<String> offsiteRecords = new ArrayList<>();
    /** The report of this boot's restore whose upload Qdrant went on restoring, while the boot waits for it; or null. */
    private volatile RestoreReport goingOn;
    /** The boot's end, kept while the bucket's record of its restore could not be removed; or null. */
    private volatile Ending ending;

    /** What the boot ended with ({@code outcome}, null when it did nothing), and that said in a sentence. */
    private record Ending(Outcome outcome, String said) {
    }

    /** What a record in the bucket that could not be removed, at a failure, leaves the operator to do. */
    private static final String RESTART = "; restart once the bucket answers (that boot restores the collection "
            + "again), or delete that object";

    BootRestore(RestoreService restores, QdrantClient qdrant, BootRestoreRecords records, QdrantConfig config) {
        this.restores = restores;
        this.qdrant = qdrant;
        this.records = records;
        this.config = config;
    }

    /**
     * Drops the collection a failed restore created holding other points than its backup's: the next boot would take it
     * for the collection and start the app on it; dropped, it is restored again then. Says what came of it.
     */
    private String dropRestored(String restored) {
        String notDropped = RestoreService.dropCreated(qdrant, restored);
        if (notDropped == null) {
            String notRemoved = ended(); // nothing of the restore is left on Qdrant
            return "; collection `" + restored + "`, which this restore created, is dropped again, so the next boot "
                    + "restores it again rather than start the app on it"
                    + (notRemoved == null ? "" : notRemoved + RESTART);
        }
        return "; dropping collection `" + restored + "`, which this restore created, failed (" + notDropped
                + "): its record is kept, so the next boot checks it against the backup, and drops it and restores it "
                + "again (or drop it)";
    }

    @Override
    public boolean enabled() {
        return config.snapshot().restoreIfMissing();
    }

    @Override
    public Outcome run(SnapshotService.Run slot) throws NotYet {
        Ending ended = ending;
        if (ended != null) { // the boot ended but for the bucket's record of its restore: removed first
            ending = null;
            return end(ended.outcome(), ended.said());
        }
        String collection = config.collection();
        BootRestoreRecords.Found found = records.find(); // a try again reads them again
        offsiteRecords.clear();
        offsiteRecords.addAll(found.bucket());
        Optional<SnapshotCatalog.BootRestoreUnderWay> unfinished = found.unfinished();
        if (unfinished.isEmpty()) {
            goingOn = null; // a restore of the collection through the API ended it
        }
        if (goingOn != null) {
            Outcome waited = awaitQdrant(goingOn, unfinished.get(), slot);
            if (waited != null) {
                return waited;
            } // Qdrant's restore ended without restoring it: what it left is checked, dropped and restored again
        }
        String droppedFirst = "";
        try {
            if (restores.configuredCollectionExists(slot.cancellation()::cancelled)) {
                if (unfinished.isEmpty() || qdrant.aliases(RestoreService.CALL, slot.cancellation()::cancelled)
                        .containsKey(collection)) { // an alias is pointed only once the restore's checks passed
                    LOG.infof("Collection `%s` exists on Qdrant: nothing to restore (QDRANT_SNAPSHOT_RESTORE_IF_MISSING)",
                            collection);
                    return end(null, "collection `" + collection + "` exists on Qdrant");
                }
                String leftBy = "collection `" + collection + "` was left by a boot's restore that did not end (started "
                        + unfinished.get().startedAt() + ")";
                String left = leftBy + ": Qdrant may hold only part of the backup in it";
                SnapshotCatalog.Entry backup;
                try {
                    backup = restores.pick(null, null); // the backup to check it against, and to restore it again from
                } catch (RestoreRefused e) {
                    if (e.kind() == RestoreRefused.Kind.UNAVAILABLE) { // the bucket unreachable, for one: it may heal
                        throw new NotYet(left + ", and no backup to check it against could be had: " + e.getMessage());
                    }
                    return new Outcome(true, "Startup stays DOWN: " + left + ", and it is kept: no backup to restore "
                            + "it again from could be had (" + e.getMessage() + "); check it, then drop it (the next "
                            + "boot restores it) or delete " + String.join(" and ", found.where())
                            + " to start the app on it", null);
                }
                // Qdrant restores an upload it has whole to its end, whatever became of the process that sent it
                RestoreReport held = restores.adoptLeft(backup, collection, true, slot.cancellation()::cancelled);
                if (held.status() == RestoreReport.Status.COMPLETED) {
                    return adopted(leftBy, held, slot);
                }
                left += " (it is not " + backup.fileName() + " whole: " + held.message() + ")";
                try {
                    RestoreService.dropWithCopies(qdrant, restores.nodesOf(qdrant), collection,
                            SnapshotFileName::isUploadName, slot.cancellation()::cancelled);
                } catch (QdrantException e) { // nothing is taken for the collection: checked and dropped again later
                    throw new NotYet(left + ", and dropping it failed (" + e.getMessage() + ")");
                }
                LOG.warnf("Dropped %s; it is restored again (QDRANT_SNAPSHOT_RESTORE_IF_MISSING)", left);
                droppedFirst = "; " + left + ", so it was dropped first";
            }
        } catch (QdrantException e) {
            throw new NotYet("whether collection `" + collection + "` needs a restore could not be told "
                    + "(QDRANT_SNAPSHOT_RESTORE_IF_MISSING): " + e.getMessage());
        }
        LOG.warnf("Collection `%s` does not exist on Qdrant: restoring its newest verified snapshot "
                + "(QDRANT_SNAPSHOT_RESTORE_IF_MISSING)", collection);
        String record = records.starts(
                new SnapshotCatalog.BootRestoreUnderWay(collection, Instant.now().toString(), qdrant.url().toString()));
        if (record != null) {
            offsiteRecords.add(record);
        }
        RestoreReport report;
        try {
            report = restores.restoreUnder(slot, RestoreService.Request.newest(), true);
        } catch (RestoreRefused e) {
            String notRemoved = ended(); // refused: nothing reached Qdrant
            if (e.kind() == RestoreRefused.Kind.NOT_FOUND && notRemoved == null) {
                LOG.warnf("%s: nothing to restore, the boot goes on (a first deployment?)", e.getMessage());
                return null;
            }
            if (e.kind() == RestoreRefused.Kind.UNAVAILABLE && notRemoved == null) {
                // the backup could not be brought in (the bucket unreachable as a pod starts, for one): it may heal
                throw new NotYet("collection `" + collection + "` is missing on Qdrant and its restore was refused: "
                        + e.getMessage() + droppedFirst);
            }
            return new Outcome(true, "Startup stays DOWN: collection `" + collection + "` is missing on Qdrant and "
                    + "its restore was refused: " + e.getMessage() + droppedFirst
                    + (notRemoved == null ? "" : notRemoved + RESTART), null);
        }
        if (report.status() == RestoreReport.Status.FAILED && report.uploadMs() == null) {
            // a call to Qdrant before the upload failed: nothing reached the collection, and it may heal
            String notRemoved = ended();
            String failed = "collection `" + collection + "` is missing on Qdrant and its restore from " + report.file()
                    + " failed before its upload: " + report.message() + droppedFirst;
            if (notRemoved == null) {
                throw new NotYet(failed);
            }
            return new Outcome(true, "Startup stays DOWN: " + failed + notRemoved + RESTART, report.file());
        }
        if (report.status() == RestoreReport.Status.FAILED && Boolean.TRUE.equals(report.qdrantStillRestoring())) {
            // Qdrant goes on restoring the upload: the collection is checked from time to time, never uploaded again
            goingOn = report;
            throw new NotYet("collection `" + collection + "` is missing on Qdrant and its restore from "
                    + report.file() + " failed: " + report.message() + droppedFirst);
        }
        if (report.status() == RestoreReport.Status.FAILED) {
            String dropped = report.restoredOtherData() && !Boolean.TRUE.equals(report.overwritten())
                    ? dropRestored(report.collection())
                    : "";
            return new Outcome(true, "Startup stays DOWN: collection `" + collection + "` is missing on Qdrant and "
                    + "its restore from " + report.file() + " failed: " + report.message() + dropped + droppedFirst,
                    report.file());
        }
        String restored = "ollection `" + collection + "` was missing on Qdrant; restored `" + report.collection()
                + "` from " + report.file() + " (" + report.pointsFound() + " points"
                + (report.aliases().isEmpty() ? "" : ", aliases " + String.join(", ", report.aliases())) + ")";
        return end(new Outcome(false, "C" + restored + "; no boot snapshot of the restored data" + droppedFirst
                + (report.message() == null ? "" : "; " + report.message()), report.file()), "c" + restored
                        + droppedFirst);
    }

    /**
     * A try again of the boot whose upload Qdrant went on restoring ({@code upload}'s report): the collection is checked
     * as a restore checks what it restored, and taken as restored once it holds that backup whole; until then (missing
     * still, or not whole yet) the boot tries again later, never dropping it nor uploading again while Qdrant may still
     * be writing it. Once Qdrant says its restore of the collection ended (the telemetry of a standalone Qdrant 1.16
     * or later: read before the collection, so that a restore ending between the two is not taken for a failed one)
     * and it does not hold the backup whole, that restore failed, or Qdrant restarted during it: null, and the boot
     * checks what it left, drops it, and restores it again at once. Where Qdrant does not say (an older one, a
     * cluster without every node in {@code QDRANT_CLUSTER_NODES}), a restart of the service does that.
     */
    private Outcome awaitQdrant(RestoreReport upload, SnapshotCatalog.BootRestoreUnderWay mark,
            SnapshotService.Run slot) throws NotYet {
        String collection = config.collection();
        String going = "Qdrant goes on restoring " + upload.file() + " into collection `" + collection + "`, which the "
                + "boot uploaded (started " + mark.startedAt() + ") and Qdrant did not answer in time";
        try {
            Optional<Boolean> restoring = restores.qdrantRestoring(collection, slot.cancellation()::cancelled);
            String advice = restoring.isPresent()
                    ? "; once it holds it whole the boot takes it as restored, and should Qdrant's restore end without "
                            + "that, the boot restores it again"
                    : "; once it holds it whole the boot takes it as restored (Qdrant does not tell when its restore "
                            + "ends: a cluster, whose nodes each tell of their own, without every node in "
                            + "QDRANT_CLUSTER_NODES, or a Qdrant before 1.16; should its log show that its restore ended "
                            + "without that, restart the service, whose boot then drops it and restores it again)";
            String notWhole;
            String found; // what it lacks, after "not whole": empty when it is missing
            if (!restores.configuredCollectionExists(slot.cancellation()::cancelled)) {
                notWhole = "it is not there";
                found = "";
            } else {
                SnapshotCatalog.Entry backup;
                try {
                    backup = restores.pick(upload.file(), null);
                } catch (RestoreRefused e) {
                    throw new NotYet(going + ": " + upload.file() + " could not be had to check it against ("
                            + e.getMessage() + ")" + advice);
                }
                RestoreReport held = restores.adoptLeft(backup, collection, true, slot.cancellation()::cancelled);
                if (held.status() == RestoreReport.Status.COMPLETED) {
                    goingOn = null;
                    return adopted("collection `" + collection + "` was restored by Qdrant after the boot's upload of "
                            + upload.file() + " got no answer in time (started " + mark.startedAt() + ")", held, slot);
                }
                notWhole = "it does not hold it whole";
                found = " (" + held.message() + ")";
            }
            if (restoring.orElse(true)) {
                throw new NotYet(going + ": " + notWhole + " yet" + found + advice);
            }
            goingOn = null;
            LOG.warnf("Qdrant's restore of %s into collection `%s`, which the boot uploaded (started %s) and Qdrant did "
                    + "not answer in time, ended without restoring it: %s, and Qdrant reports no restore of it going; "
                    + "the boot restores it again", upload.file(), collection, mark.startedAt(), notWhole + found);
            return null;
        } catch (QdrantException e) {
            throw new NotYet(going + ": checking it failed (" + e.getMessage() + "); once it holds it whole the boot "
                    + "takes it as restored");
        }
    }

    /**
     * The boot's end when the collection a boot's restore that did not end left holds its backup whole ({@code held}):
     * that restore is taken as completed, its records removed; startup stays DOWN only when a record in the bucket
     * cannot be.
     */
    private Outcome adopted(String leftBy, RestoreReport held, SnapshotService.Run slot) throws NotYet {
        slot.finish(held); // the boot's run reports the restore it took as its own
        String found = leftBy + ", and holds " + held.file() + " whole (" + held.pointsFound() + " points"
                + (held.sampleChecked() == null ? "" : ", the " + held.sampleChecked() + " sampled ids")
                + (held.aliases().isEmpty() ? "" : "; aliases " + String.join(", ", held.aliases())) + ")";
        String sentence = "C" + found.substring(1); // found starts "collection `"
        LOG.warnf("%s: taken as restored, not restored again (QDRANT_SNAPSHOT_RESTORE_IF_MISSING)", sentence);
        return end(new Outcome(false, sentence + ": taken as restored; no boot snapshot of the restored data"
                + (held.message() == null ? "" : "; " + held.message()), held.file()), found);
    }

    /**
     * The boot's end, {@code outcome} ({@code said} in a sentence), once the records of its restore are removed. Until
     * the bucket's can be, startup stays DOWN and the boot tries again, removing it first and doing nothing else: a
     * later boot (a new pod) would take the collection, written by the app meanwhile, for one a restore left
     * unfinished, and drop it.
     */
    private Outcome end(Outcome outcome, String said) throws NotYet {
        String notRemoved = ended();
        if (notRemoved == null) {
            return outcome;
        }
        ending = new Ending(outcome, said);
        throw new NotYet(said + notRemoved + "; the boot removes it once the bucket answers, then starts the app (or "
                + "delete that object)");
    }

    /**
     * Removes the records of the boot's restore, the bucket's first: it ended with nothing of it left unchecked on
     * Qdrant. Says why a record in the bucket is still there (a later boot, whose directory may not be this one, would
     * take the collection for one a restore left unfinished, and drop it), or null.
     */
    private String ended() {
        String notRemoved = records.end(offsiteRecords);
        return notRemoved == null ? null
                : "; the record of a boot's restore under way in the bucket, " + notRemoved
                        + ": a later boot would take the collection for one a restore left unfinished, and drop it, so the "
                        + "app is not started on it";
    }
}
