package dev.snapshotter.restore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.Logger;

import dev.snapshotter.qdrant.QdrantException;
import dev.snapshotter.qdrant.SnapshotArchive;
import dev.snapshotter.store.SnapshotCatalog;

/**
 * What a restore (of a snapshot or a set) has done so far, filled as it goes; its report is made from it once,
 * completed or failed, so a failure reports everything done before it.
 */
final class RestoreAttempt {

    private final SnapshotCatalog.Entry entry;
    private final String target;
    private final String snapshotOf;
    private final Instant startedAt = Instant.now();
    private final long start = System.nanoTime();
    /** What the operator should know of a restore that went on. */
    final List<String> remarks = new ArrayList<>();
    String version;
    SnapshotArchive.Facts facts;
    Long verifyMs;
    Long uploadMs;
    Boolean uploadDeleted;
    Long expected;
    Long expectedMax;
    Long found;
    Integer sampleChecked;
    Integer sampleMissing;
    /** The aliases pointed at the restored collection; null where the report names none. */
    List<String> aliases;
    /** The snapshot taken of the collection before it was overwritten; null when none was. */
    String safetySnapshot;
    /** Whether the target existed and is overwritten; null until known. */
    Boolean overwritten;
    /** True when Qdrant may still be restoring an upload that got no answer of its ({@link RestoreReport}). */
    Boolean stillRestoring;

    /**
     * An upload of {@code file} failed so: whether Qdrant may still be restoring it ({@link RestoreService#mayStillRestore}),
     * kept for the report; what to say of that after the failure, or nothing.
     */
    String afterUploadFailed(QdrantException e, boolean sentWhole, String file) {
        boolean still = RestoreService.mayStillRestore(e, sentWhole);
        stillRestoring = still ? true : null;
        return still ? RestoreService.stillRestoring(file, target) : "";
    }

    RestoreAttempt(SnapshotCatalog.Entry entry, String target) {
        this.entry = entry;
        this.target = target;
        this.snapshotOf = RestoreService.snapshotOf(entry);
    }

    String snapshotOf() {
        return snapshotOf;
    }

    long millis() {
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** The report of a restore that completed, its remarks its message. */
    RestoreReport completed() {
        return report(RestoreReport.Status.COMPLETED, remarks.isEmpty() ? null : String.join("; ", remarks));
    }

    /**
     * The report of a dry run that passed every check before the upload: what a restore would do, logged.
     *
     * @param wouldPoint the aliases a restore would point at the collection; null for none
     */
    RestoreReport checked(List<String> wouldPoint) {
        aliases = wouldPoint == null ? List.of() : wouldPoint;
        String plan = "Dry run: every check before the upload passed and nothing was uploaded; a restore would "
                + (Boolean.TRUE.equals(overwritten) ? "overwrite" : "create") + " collection `" + target + "` from "
                + entry.fileName() + (aliases.isEmpty() ? ""
                        : " and point " + (aliases.size() == 1 ? "alias " : "aliases ") + String.join(", ", aliases)
                                + " at it");
        Logger.getLogger(RestoreService.class).infof("Restore dry run passed: %s=%s collection=%s overwrite=%s",
                entry.isSet() ? "set" : "file", entry.fileName(), target, overwritten);
        return report(RestoreReport.Status.CHECKED, remarks.isEmpty() ? plan : plan + "; " + String.join("; ", remarks));
    }

    /** The report of a restore that failed for {@code problem}, logged. */
    RestoreReport failed(String problem) {
        String message = remarks.isEmpty() ? problem : problem + "; " + String.join("; ", remarks);
        // logged as before this class held the report: by the restore of a set, or of a snapshot
        Logger.getLogger(entry.isSet() ? SetRestore.class : RestoreService.class).errorf(
                "Restore failed: %s=%s collection=%s: %s", entry.isSet() ? "set" : "file", entry.fileName(), target,
                message);
        return report(RestoreReport.Status.FAILED, message);
    }

    private RestoreReport report(RestoreReport.Status status, String message) {
        return new RestoreReport(status, entry.fileName(), target, overwritten, snapshotOf, startedAt, millis(), version,
                facts == null ? null : facts.qdrantVersion(), expected,
                expected != null && !expected.equals(expectedMax) ? expectedMax : null, found, sampleChecked, sampleMissing,
                aliases,
                uploadDeleted, null, stillRestoring, verifyMs, uploadMs, safetySnapshot, message,
                remarks.isEmpty() ? null : List.copyOf(remarks));
    }
}
