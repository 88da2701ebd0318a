package dev.snapshotter.restore;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What a restore did, for the API's answer, the command line and the log.
 *
 * @param file the snapshot file restored
 * @param collection the collection it was restored into
 * @param overwritten whether that collection existed and was overwritten (for a dry run: would be), or null when the
 *        restore stopped before this was known
 * @param snapshotOf the collection the snapshot was taken of
 * @param qdrantVersion the target Qdrant's version
 * @param snapshotVersion the version of the Qdrant that wrote the snapshot
 * @param pointsExpected the exact count the snapshot was taken with (or the lower bound when writes landed meanwhile)
 * @param pointsExpectedMax the upper bound of that count when writes landed meanwhile, or null
 * @param pointsFound the exact count after the restore, or null when not read
 * @param aliases the aliases pointed at the restored collection (for a dry run: that a restore would point)
 * @param sampleChecked how many point ids recorded at snapshot time were read back, or null when none were
 * @param sampleMissing how many of those were not there after the restore; null when all were, or none was read
 * @param uploadedCopyDeleted whether the copy Qdrant keeps of an upload was deleted
 * @param scratchDropped for a drill: whether its scratch collection was dropped; null for a restore
 * @param qdrantStillRestoring true when the upload got no answer of Qdrant's once Qdrant had all of it (a timeout, a
 *        connection that ended, a proxy's 502 or 504): Qdrant restores it in a task of its own that goes on, so the
 *        collection may yet be written, unchecked; false once the service, following that restore, found how it
 *        ended (the run's record); null otherwise
 * @param verifyMs how long re-reading the file took
 * @param uploadMs how long the upload and Qdrant's restore took
 * @param safetySnapshot the file of the snapshot taken of the collection just before it was overwritten, or null when
 *        none was
 * @param message why it failed, what a dry run found, or remarks on a completed restore; null when there is nothing
 *        to say
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RestoreReport(Status status, String file, String collection, Boolean overwritten, String snapshotOf,
        Instant startedAt,
        long durationMs, String qdrantVersion, String snapshotVersion, Long pointsExpected, Long pointsExpectedMax,
        Long pointsFound, Integer sampleChecked, Integer sampleMissing, List<String> aliases, Boolean uploadedCopyDeleted,
        Boolean scratchDropped, Boolean qdrantStillRestoring, Long verifyMs, Long uploadMs, String safetySnapshot,
        String message,
        List<String> remarks) {

    /**
     * The report of a restore the process stopped during once Qdrant had its upload of {@code file} into
     * {@code collection} whole (started {@code startedAt}), as its run was listed after the restart ({@code message}):
     * failed, Qdrant restoring it still, until its following tells how that ended.
     */
    static RestoreReport stoppedAwaitingQdrant(String file, String collection, Instant startedAt, String message) {
        return new RestoreReport(Status.FAILED, file, collection, null, null, startedAt,
                Duration.between(startedAt, Instant.now()).toMillis(), null, null, null, null, null, null, null, null,
                null, null, true, null, null, null, message, null);
    }

    /** Whether a drill passed: its restore completed and its scratch collection was dropped. */
    public boolean drillPassed() {
        return status == Status.COMPLETED && Boolean.TRUE.equals(scratchDropped);
    }

    /**
     * Whether the restore failed on finding other points than the backup recorded (another count, or sampled ids
     * missing): what Qdrant restored is not the backup's data.
     */
    boolean restoredOtherData() {
        return status == Status.FAILED && (sampleMissing != null || pointsFound != null && pointsExpected != null
                && !RestoreService.withinRecord(pointsFound, pointsExpected,
                        pointsExpectedMax != null ? pointsExpectedMax : pointsExpected));
    }

    /** The report of a drill: this restore's, and whether the scratch collection was dropped after it. */
    RestoreReport drilled(boolean dropped, String remark) {
        return with(dropped, remark);
    }

    /** This report with one more remark. */
    RestoreReport remarked(String remark) {
        return with(scratchDropped, remark);
    }

    /**
     * This report (a failed one whose upload Qdrant went on restoring) once the service found how Qdrant's restore
     * ended without restoring it, or stopped following it: {@code said} tells, and Qdrant is no longer said to restore.
     */
    RestoreReport qdrantEnded(String said) {
        return new RestoreReport(status, file, collection, overwritten, snapshotOf, startedAt,
                Duration.between(startedAt, Instant.now()).toMillis(), qdrantVersion, snapshotVersion, pointsExpected,
                pointsExpectedMax, pointsFound, sampleChecked, sampleMissing, aliases, uploadedCopyDeleted,
                scratchDropped, false, verifyMs, uploadMs, safetySnapshot, message, remarks).remarked(said);
    }

    /**
     * This report of the checks that found the collection holding the backup whole, as the report of the restore
     * whose {@code upload} Qdrant went on restoring: that restore's start, what it overwrote and the snapshot it took
     * first, and {@code said}.
     */
    RestoreReport following(RestoreReport upload, String said) {
        return new RestoreReport(status, file, collection, upload.overwritten, snapshotOf, upload.startedAt,
                Duration.between(upload.startedAt, Instant.now()).toMillis(), qdrantVersion, snapshotVersion,
                pointsExpected, pointsExpectedMax, pointsFound, sampleChecked, sampleMissing, aliases,
                uploadedCopyDeleted, scratchDropped, false, verifyMs, upload.uploadMs, upload.safetySnapshot, message,
                remarks).remarked(said);
    }

    private RestoreReport with(Boolean dropped, String remark) {
        List<String> all = new ArrayList<>(remarks == null ? List.of() : remarks);
        if (remark != null) {
            all.add(remark);
        }
        String said = remark == null ? message : message == null ? remark : message + "; " + remark;
        return new RestoreReport(status, file, collection, overwritten, snapshotOf, startedAt, durationMs, qdrantVersion,
                snapshotVersion, pointsExpected, pointsExpectedMax, pointsFound, sampleChecked, sampleMissing, aliases,
                uploadedCopyDeleted, dropped, qdrantStillRestoring, verifyMs, uploadMs, safetySnapshot, said,
                all.isEmpty() ? null : List.copyOf(all));
    }

    public enum Status {
        COMPLETED,
        FAILED,
        /** A dry run: every check before the upload passed; nothing was uploaded. */
        CHECKED;

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
