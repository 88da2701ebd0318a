package dev.snapshotter.restore;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.snapshotter.config.RunMode;
import dev.snapshotter.qdrant.QdrantException;
import dev.snapshotter.snapshot.BootSnapshot;
import dev.snapshotter.snapshot.Cadence;
import dev.snapshotter.snapshot.RunView;
import dev.snapshotter.snapshot.SnapshotService;
import dev.snapshotter.store.SnapshotCatalog;

import io.quarkus.scheduler.Scheduler;

/**
 * The restores through the API whose upload Qdrant had whole but did not answer in time (a timeout, a connection that
 * ended, a proxy's 502 or 504): Qdrant goes on restoring in a task of its own, so the service follows it, as the boot
 * follows its own. Every {@link #FIRST_WAIT} at first, the wait doubling up to {@link #MAX_WAIT}, it reads whether
 * Qdrant still restores into the collection (its telemetry, of every node in {@code QDRANT_CLUSTER_NODES} for a
 * cluster) and, when Qdrant does not say it does, checks the collection as the restore would have: once it holds the
 * backup whole, that restore is taken as completed (the aliases it was asked to point pointed, the copy of its upload
 * deleted, the restore counted completed), and the run's record says so in place of the failure; once Qdrant says its
 * restore ended without that, the record says so too, and the following ends (where Qdrant does not say, a day after
 * the restore began). Each check holds the single-flight slot under the run's own id (it shows as going meanwhile),
 * so it never meets another run; a later restore into the same collection ends the following (that restore's own
 * checks tell of the collection now). Nothing of it outlives the process: the run's record keeps the advice it was
 * given.
 */
@ApplicationScoped
public class UnansweredRestores {

    private static final Logger LOG = Logger.getLogger(UnansweredRestores.class);
    static final Duration FIRST_WAIT = Duration.ofSeconds(5);
    static final Duration MAX_WAIT = Duration.ofMinutes(1);
    /** How long a restore is followed when Qdrant does not tell whether it still restores. */
    static final Duration TELLS_NOTHING = Duration.ofDays(1);

    private final RestoreService restores;
    private final SnapshotService runs;
    private final Scheduler scheduler;
    private final BootSnapshot boot;
    /** The restore each collection is followed for: its run's id. */
    private final Map<String, String> followed = new ConcurrentHashMap<>();

    UnansweredRestores(RestoreService restores, SnapshotService runs, Scheduler scheduler, BootSnapshot boot) {
        this.restores = restores;
        this.runs = runs;
        this.scheduler = scheduler;
        this.boot = boot;
    }

    /** The remark of a restore that is followed so. */
    static String remark(RestoreReport report) {
        return "The service follows Qdrant's restore (its telemetry: Qdrant 1.16 or later, a cluster through every "
                + "node in QDRANT_CLUSTER_NODES) and checks collection `" + report.collection() + "` as this restore "
                + "would have, from now on, every " + FIRST_WAIT.toSeconds() + " s at first, the wait doubling up to "
                + MAX_WAIT.toSeconds() + " s: once it holds " + report.file() + " whole, this run's record says "
                + "completed (the aliases asked for pointed, the upload's copy deleted); should Qdrant's restore end "
                + "without that, the record says so, and then restore again with overwrite, or drop `"
                + report.collection() + "`";
    }

    /**
     * Follows the restore of run {@code run} that {@code report} tells of (Qdrant goes on with it); the collection's
     * earlier one, if any, is no longer followed. Not in a command, which ends with its restore.
     */
    void follow(String run, RestoreReport report, boolean aliases) {
        if (RunMode.isCommand()) {
            return;
        }
        followed.put(report.collection(), run);
        Cadence.untilDone(scheduler, "restore-unanswered-" + run, boot, runs::shuttingDown, FIRST_WAIT, MAX_WAIT,
                new Check(run, report, aliases)::done);
    }

    /**
     * A restore into {@code collection} ended (a later one than any followed): the one followed there, if any, is no
     * longer, as that restore's checks tell what the collection holds now.
     */
    void restoredInto(String collection, String run) {
        String earlier = followed.get(collection);
        if (earlier != null && !earlier.equals(run) && followed.remove(collection, earlier)) {
            LOG.infof("No longer following Qdrant's restore into collection `%s` of run %s: run %s restored into it "
                    + "since", collection, earlier, run);
        }
    }

    /** One followed restore's checks. */
    private final class Check {

        private final String run;
        private final RestoreReport upload;
        /** What the last check that failed said (a WARN once, then DEBUG while it says the same). */
        private String lastFailure;
        /** Whether the restore was asked to point the backup's aliases. */
        private final boolean aliases;

        Check(String run, RestoreReport upload, boolean aliases) {
            this.run = run;
            this.upload = upload;
            this.aliases = aliases;
        }

        /**
         * One check: true once nothing is left to follow. What Qdrant says of its restore and whether the collection
         * is there are read first; the slot is taken only to check the collection or to record how it ended.
         */
        boolean done() {
            String collection = upload.collection();
            if (!run.equals(followed.get(collection))) {
                return true;
            }
            Optional<RunView> earlier = runs.run(run);
            if (earlier.isEmpty()) { // pushed out of the run history: nothing left to tell it in
                followed.remove(collection, run);
                return true;
            }
            try {
                Optional<Boolean> restoring = restores.qdrantRestoring(collection, () -> false);
                if (restoring.orElse(false)) {
                    return false;
                }
                boolean there = restores.exists(collection, () -> false);
                boolean dayOver = !Instant.now().isBefore(upload.startedAt().plus(TELLS_NOTHING));
                if (!there && restoring.isEmpty() && !dayOver) {
                    return false; // Qdrant does not tell whether its restore ended, and has not created it yet
                }
                Optional<SnapshotService.Run> slot = runs.resume(earlier.get());
                if (slot.isEmpty()) {
                    return false; // another run holds the slot: after it
                }
                try (SnapshotService.Run going = slot.get()) {
                    going.phase("checking");
                    RestoreReport ended = check(going, restoring, there, dayOver);
                    if (ended == null) {
                        return false;
                    }
                    going.finish(ended);
                    followed.remove(collection, run);
                    return true;
                }
            } catch (QdrantException e) {
                String failed = e.getMessage();
                LOG.logf(failed.equals(lastFailure) ? Logger.Level.DEBUG : Logger.Level.WARN,
                        "Checking Qdrant's restore of %s into collection `%s` of run %s failed: %s; it is checked "
                                + "again later",
                        upload.file(), collection, run, failed);
                lastFailure = failed;
                return false;
            }
        }

        /**
         * What the collection holds now, as the run's new report, or null while that cannot be told yet.
         *
         * @param restoring whether Qdrant says it restores into it (read before {@code there}), empty when it does not
         *        tell
         * @param there whether the collection exists
         * @param dayOver whether a day went by since the restore began
         */
        private RestoreReport check(SnapshotService.Run going, Optional<Boolean> restoring, boolean there,
                boolean dayOver) {
            String collection = upload.collection();
            String uploaded = "Qdrant's restore of " + upload.file() + " into collection `" + collection + "`, which "
                    + "run " + run + " uploaded and Qdrant did not answer in time,";
            String notWhole;
            if (!there) {
                notWhole = "it is not there";
            } else {
                SnapshotCatalog.Entry backup;
                try {
                    backup = restores.pick(upload.file(), null);
                } catch (RestoreRefused e) {
                    String said = uploaded + " cannot be checked: " + upload.file() + " could not be had to check "
                            + "collection `" + collection + "` against (" + e.getMessage() + "); check it, or restore "
                            + "again with overwrite";
                    LOG.warn(said);
                    return upload.qdrantEnded(said);
                }
                RestoreReport held = restores.adoptLeft(backup, collection, aliases, going.cancellation()::cancelled);
                if (held.status() == RestoreReport.Status.COMPLETED) {
                    String said = uploaded + " ended: collection `" + collection + "` holds it whole, checked at "
                            + Instant.now() + " (" + held.pointsFound() + " points"
                            + (held.aliases() == null || held.aliases().isEmpty() ? ""
                                    : "; aliases " + String.join(", ", held.aliases()))
                            + "): taken as restored";
                    LOG.infof("%s", said);
                    return held.following(upload, said).remarked(restores.endsBootRestore(held));
                }
                notWhole = "it does not hold it whole (" + held.message() + ")";
            }
            if (restoring.isEmpty()) {
                if (!dayOver) {
                    return null; // Qdrant does not tell whether its restore ended: it may yet
                }
                String said = uploaded + " is no longer followed, a day after it began: collection `" + collection
                        + "` " + notWhole.replaceFirst("^it ", "") + ", and Qdrant does not tell whether its restore "
                        + "ended (a cluster without every node in QDRANT_CLUSTER_NODES, a Qdrant before 1.16, or a key "
                        + "that may not read its telemetry); once Qdrant's log shows that it ended, restore again "
                        + "with overwrite, or drop `" + collection + "`";
                LOG.warn(said);
                return upload.qdrantEnded(said);
            }
            String said = uploaded + " ended without restoring it: " + notWhole + ", and Qdrant reports no restore of "
                    + "it going (it failed, Qdrant restarted during it, or the collection was written since it ended); "
                    + "restore again with overwrite, or drop `" + collection + "`";
            LOG.warn(said);
            return upload.qdrantEnded(said);
        }
    }
}
