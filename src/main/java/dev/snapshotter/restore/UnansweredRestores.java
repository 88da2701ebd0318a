package dev.snapshotter.restore;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.snapshotter.config.RunMode;
import dev.snapshotter.qdrant.QdrantException;
import dev.snapshotter.snapshot.BootSnapshot;
import dev.snapshotter.snapshot.Cadence;
import dev.snapshotter.snapshot.RunJournal;
import dev.snapshotter.snapshot.RunView;
import dev.snapshotter.snapshot.SnapshotService;
import dev.snapshotter.store.SnapshotCatalog;
import dev.snapshotter.store.SnapshotFileWriter;

import io.quarkus.runtime.StartupEvent;
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
 * the restore began). A check takes the single-flight slot under the run's own id (it shows as going meanwhile) only
 * to check the collection or to record how it ended, so it never meets another run; a later restore into the same
 * collection ends the following (that restore's own checks tell of the collection now). The restores followed are
 * recorded in the directory ({@code .unanswered-restores.json}), so that the service follows them again after a
 * restart; so is a restore whose upload Qdrant has whole while its answer is awaited, so that one the process stopped
 * during then (a shutdown that did not wait for its end, a kill, an eviction) is followed after the restart the same
 * way, its run listed as the process stopped during it until its following tells how Qdrant's restore ended.
 */
@ApplicationScoped
public class UnansweredRestores {

    private static final Logger LOG = Logger.getLogger(UnansweredRestores.class);
    static final Duration FIRST_WAIT = Duration.ofSeconds(5);
    static final Duration MAX_WAIT = Duration.ofMinutes(1);
    /** How long a restore is followed when Qdrant does not tell whether it still restores. */
    static final Duration TELLS_NOTHING = Duration.ofDays(1);
    /** How a restore whose upload timed out left Qdrant's restore going. */
    private static final String NOT_ANSWERED = "uploaded and Qdrant did not answer in time";
    /** How a restore the process stopped during while it awaited Qdrant's answer left it going. */
    private static final String STOPPED = "had uploaded whole when the process stopped";

    private final RestoreService restores;
    private final SnapshotService runs;
    private final Scheduler scheduler;
    private final BootSnapshot boot;
    private final SnapshotCatalog catalog;
    private final Instance<ObjectMapper> json;
    /** The restore each collection is followed for, as recorded in the directory. */
    private final Map<String, SnapshotCatalog.UnansweredRestore> followed = new ConcurrentHashMap<>();
    /** The restore whose upload Qdrant has whole and whose answer is awaited, if any, recorded there too. */
    private volatile SnapshotCatalog.UnansweredRestore awaited;

    UnansweredRestores(RestoreService restores, SnapshotService runs, Scheduler scheduler, BootSnapshot boot,
            SnapshotCatalog catalog, Instance<ObjectMapper> json) {
        this.restores = restores;
        this.runs = runs;
        this.scheduler = scheduler;
        this.boot = boot;
        this.catalog = catalog;
        this.json = json;
    }

    /**
     * Once the boot has settled, follows again the restores the directory records as followed when the process
     * stopped (a restart, a rollout): those whose run the journal still has, its report saying Qdrant goes on; and
     * follows those whose upload Qdrant had whole when the process stopped, awaiting its answer.
     */
    void onStart(@Observes StartupEvent event) {
        if (RunMode.isCommand()) {
            return; // a command does what it was asked and nothing else
        }
        Cadence.untilDone(scheduler, "restore-unanswered-again", boot, runs::shuttingDown, FIRST_WAIT, () -> {
            for (SnapshotCatalog.UnansweredRestore recorded : catalog.unansweredRestores()) {
                Optional<RunView> run = runs.run(recorded.run());
                Optional<RestoreReport> report = run.map(RunView::report).map(this::report)
                        .filter(upload -> Boolean.TRUE.equals(upload.qdrantStillRestoring()));
                if (report.isPresent() && !followed.containsKey(report.get().collection())) {
                    LOG.infof("Following again Qdrant's restore of %s into collection `%s`, which run %s uploaded and "
                            + "Qdrant did not answer in time (the service restarted meanwhile)", report.get().file(),
                            report.get().collection(), recorded.run());
                    follow(recorded.run(), report.get(), recorded.aliases(), NOT_ANSWERED);
                }
                // a run recorded so that a process stopped during, once Qdrant had its upload whole
                Optional<RunView> stopped = run.filter(view -> RunJournal.stoppedDuring(view) && view.file() != null
                        && view.collection() != null && !followed.containsKey(view.collection()));
                if (stopped.isPresent()) {
                    RunView view = stopped.get();
                    LOG.infof("Following Qdrant's restore of %s into collection `%s`, which run %s had uploaded whole "
                            + "when the process stopped: Qdrant restores it in a task of its own", view.file(),
                            view.collection(), view.id());
                    follow(view.id(), RestoreReport.stoppedAwaitingQdrant(view.file(), view.collection(),
                            view.startedAt(), view.message()), recorded.aliases(), STOPPED);
                }
            }
            recorded(); // without those there is nothing to follow for
            return true;
        });
    }

    /**
     * Qdrant has the upload of run {@code run} into {@code collection} whole, and its answer is awaited: recorded, so
     * that should the process stop before it comes, the restart follows Qdrant's restore. Not in a command.
     */
    void uploadedWhole(String run, String collection, boolean aliases) {
        if (RunMode.isCommand() || collection == null) {
            return;
        }
        SnapshotCatalog.UnansweredRestore entry = new SnapshotCatalog.UnansweredRestore(run, aliases);
        if (!entry.equals(awaited)) {
            awaited = entry;
            recorded();
        }
    }

    /** Run {@code run}'s restore ended here (answered, or not): no longer recorded as awaiting Qdrant's answer. */
    void answered(String run) {
        SnapshotCatalog.UnansweredRestore entry = awaited;
        if (entry != null && entry.run().equals(run)) {
            awaited = null;
            recorded();
        }
    }

    /** A journaled restore report; null when it cannot be read as one. */
    private RestoreReport report(JsonNode journaled) {
        try {
            return json.get().treeToValue(journaled, RestoreReport.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Records the restores followed now and the one awaiting Qdrant's answer, so that a restart follows them; a failure
     * is a warning.
     */
    private synchronized void recorded() {
        List<SnapshotCatalog.UnansweredRestore> all = new ArrayList<>(followed.values());
        SnapshotCatalog.UnansweredRestore entry = awaited;
        if (entry != null && !all.contains(entry)) {
            all.add(entry);
        }
        try {
            catalog.recordUnansweredRestores(List.copyOf(all));
        } catch (IOException | IllegalStateException e) {
            LOG.warnf("The restores Qdrant goes on with that the service follows could not be recorded (%s): a "
                    + "restart would not follow them",
                    e instanceof IOException io ? SnapshotFileWriter.reason(io)
                            : e.getMessage());
        }
    }

    /**
     * The remark of a restore that is followed so; of a command's (which ends with its restore, and follows nothing),
     * what to do once Qdrant's restore ended.
     */
    static String remark(RestoreReport report) {
        if (RunMode.isCommand()) {
            return "This command does not follow Qdrant's restore: once Qdrant's log shows that it ended restoring "
                    + report.file() + ", restore again with overwrite (which checks the collection), or drop `"
                    + report.collection() + "`";
        }
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
        follow(run, report, aliases, NOT_ANSWERED);
    }

    /** @param how how that run left Qdrant's restore going, for the messages that tell how it ended */
    private void follow(String run, RestoreReport report, boolean aliases, String how) {
        if (RunMode.isCommand()) {
            return;
        }
        SnapshotCatalog.UnansweredRestore entry = new SnapshotCatalog.UnansweredRestore(run, aliases);
        followed.put(report.collection(), entry);
        recorded();
        Cadence.untilDone(scheduler, "restore-unanswered-" + run, boot, runs::shuttingDown, FIRST_WAIT, MAX_WAIT,
                new Check(entry, report, how)::done);
    }

    /**
     * A restore into {@code collection} ended (a later one than any followed): the one followed there, if any, is no
     * longer, as that restore's checks tell what the collection holds now.
     */
    void restoredInto(String collection, String run) {
        SnapshotCatalog.UnansweredRestore earlier = followed.get(collection);
        if (earlier != null && !earlier.run().equals(run) && followed.remove(collection, earlier)) {
            recorded();
            LOG.infof("No longer following Qdrant's restore into collection `%s` of run %s: run %s restored into it "
                    + "since", collection, earlier.run(), run);
        }
    }

    /** One followed restore's checks. */
    private final class Check {

        private final SnapshotCatalog.UnansweredRestore entry;
        private final String run;
        private final RestoreReport upload;
        private final String how;
        /** What the last check that failed said (a WARN once, then DEBUG while it says the same). */
        private String lastFailure;

        Check(SnapshotCatalog.UnansweredRestore entry, RestoreReport upload, String how) {
            this.entry = entry;
            this.run = entry.run();
            this.upload = upload;
            this.how = how;
        }

        /** This restore is no longer followed. */
        private void ended() {
            if (followed.remove(upload.collection(), entry)) {
                recorded();
            }
        }

        /**
         * One check: true once nothing is left to follow. What Qdrant says of its restore and whether the collection
         * is there are read first; the slot is taken only to check the collection or to record how it ended.
         */
        boolean done() {
            String collection = upload.collection();
            if (!entry.equals(followed.get(collection))) {
                return true;
            }
            Optional<RunView> earlier = runs.run(run);
            if (earlier.isEmpty()) { // pushed out of the run history: nothing left to tell it in
                ended();
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
                    ended();
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
                    + "run " + run + " " + how + ",";
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
                RestoreReport held = restores.adoptLeft(backup, collection, entry.aliases(),
                        going.cancellation()::cancelled);
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
