package dev.snapshotter.snapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.snapshotter.config.QdrantConfig;
import dev.snapshotter.config.Schedule;
import dev.snapshotter.snapshot.SnapshotReport.Reason;
import dev.snapshotter.store.SnapshotFailure;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import io.quarkus.scheduler.Scheduler;
import io.quarkus.scheduler.Trigger;

/**
 * {@code QDRANT_SNAPSHOT_SCHEDULE}: runs the pipeline with reason {@code schedule} on Quarkus's scheduler. A run that
 * finds another snapshot run going is skipped, not queued (logged, and counted as {@code status="skipped"}).
 * <p>
 * The {@code every <duration>} form is due one interval after the newest verified snapshot of the collection
 * {@code QDRANT_COLLECTION} points at now (whichever run took it), and at once when that is overdue or there is none,
 * once the boot snapshot has settled: a process that restarts more often than the interval still takes its
 * snapshots, and one that restarts right after a snapshot does not take another. After a skipped firing the next
 * comes one interval later, not at once ({@link FirstBackup} takes a first deployment's first backup sooner).
 * <p>
 * A scheduled run that fails is tried again {@code QDRANT_SNAPSHOT_SCHEDULE_RETRY} later (both forms), the wait doubling
 * after each failure in a row up to {@link #MAX_RETRY}, so that a Qdrant down for a few minutes at the firing does not
 * cost a whole interval without a backup. A retry is dropped once a backup was taken since the failure (an API run,
 * say; that backup also ends the row, so the next failure waits the first wait again), when one finds a snapshot run
 * going, and never made for a failure no retry heals by itself (the directory takes no files, Qdrant refuses the key:
 * readiness says so, {@link SnapshotService#blocker}).
 * <p>
 * A firing that finds a restore or drill holding the slot is deferred rather than skipped: no snapshot is being taken,
 * so the run follows within {@link #RETRY} of that one's end.
 */
@ApplicationScoped
public class ScheduledSnapshots {

    static final String JOB = "snapshot-schedule";
    /** How often the {@code every} form looks whether it is due; the look is a comparison of two instants. */
    static final String TICK = "1s";
    /** How often a firing deferred by a restore or drill tries again. */
    static final String RETRY = "5s";
    /** How long a computed due time is trusted when no run finished meanwhile (files may be added or deleted). */
    static final Duration RECOMPUTE = Duration.ofMinutes(1);
    /** The longest wait between retries of failed scheduled runs (unless QDRANT_SNAPSHOT_SCHEDULE_RETRY is longer). */
    static final Duration MAX_RETRY = Duration.ofHours(1);
    private static final Logger LOG = Logger.getLogger(ScheduledSnapshots.class);

    private final QdrantConfig config;
    private final Scheduler scheduler;
    private final SnapshotService service;
    private final SnapshotMetrics metrics;
    private final BootSnapshot bootSnapshot;
    private final QdrantSnapshotTarget target;
    private volatile Due due;
    private volatile Instant lastFiring;
    /** A firing met a restore or drill holding the slot: the run follows once it is free. */
    private volatile boolean deferred;
    /** The retry of a scheduled run that failed; null when none is due. */
    private volatile Retry pendingRetry;
    /**
     * The retry made after the last failure, kept when it is dropped: its wait is doubled at the next failure in a row
     * (a backup taken since, by any run, ends the row); null after a scheduled run that did not fail.
     */
    private volatile Retry lastRetry;

    ScheduledSnapshots(QdrantConfig config, Scheduler scheduler, SnapshotService service, SnapshotMetrics metrics,
            BootSnapshot bootSnapshot, QdrantSnapshotTarget target) {
        this.config = config;
        this.scheduler = scheduler;
        this.service = service;
        this.metrics = metrics;
        this.bootSnapshot = bootSnapshot;
        this.target = target;
    }

    /** When the {@code every} form fires next, and what it was computed from. */
    private record Due(Instant at, long finishedRuns, Instant computedAt) {
    }

    /** A failed scheduled run (started {@code failedAt}) to be tried again {@code at}, {@code delay} after it failed. */
    private record Retry(Instant failedAt, Instant at, Duration delay) {
    }

    void onStart(@Observes StartupEvent event) {
        if (config.snapshot().schedule().isEmpty()) {
            publishNext(null);
            return;
        }
        Schedule schedule = config.snapshot().schedule().get();
        if (schedule.cron() != null) {
            Trigger trigger = scheduler.newJob(JOB).setCron(schedule.cron()).setTask(execution -> {
                try {
                    run();
                } finally {
                    publishCron();
                }
            }).schedule();
            publishNext(trigger.getNextFireTime());
            LOG.infof("Snapshots scheduled %s; the next at %s", schedule, trigger.getNextFireTime());
        } else {
            scheduler.newJob(JOB).setInterval(TICK).setConcurrentExecution(ConcurrentExecution.SKIP)
                    .setTask(execution -> tick(schedule.every())).schedule();
            LOG.infof("Snapshots scheduled %s, one interval after the newest verified snapshot; the first time is "
                    + "known once the boot snapshot has settled", schedule);
        }
        scheduler.newJob(JOB + "-deferred").setInterval(RETRY).setConcurrentExecution(ConcurrentExecution.SKIP)
                .setTask(execution -> {
                    if (deferred) {
                        run(true);
                    } else if (schedule.cron() != null) {
                        retryCron();
                    }
                }).schedule();
    }

    /** One look of the {@code every} form: runs when due, then computes the next due time. */
    void tick(Duration every) {
        if (bootSnapshot.result().isEmpty() || service.shuttingDown()) {
            return;
        }
        Due current = due;
        Instant now = Instant.now();
        if (current == null || current.finishedRuns() != service.finishedRuns()
                || current.computedAt().plus(RECOMPUTE).isBefore(now)) {
            Due next = due(every, now);
            if (current == null || !next.at().equals(current.at())) {
                publishNext(next.at());
                LOG.infof("Next scheduled snapshot at %s", next.at());
            }
            due = current = next;
        }
        if (now.isBefore(current.at())) {
            return;
        }
        lastFiring = now;
        run();
        due = null; // computed again at the next tick, from what this firing left
    }

    private Due due(Duration every, Instant now) {
        long finished = service.finishedRuns();
        Optional<Instant> newest;
        try {
            newest = target.newestBackupAt();
        } catch (SnapshotFailure e) {
            LOG.debugf("The newest snapshot is not known (%s); the schedule counts from now", e.getMessage());
            newest = Optional.empty();
        }
        Instant at = newest.map(takenAt -> takenAt.plus(every)).orElse(now);
        Instant firing = lastFiring;
        if (firing != null && firing.plus(every).isAfter(at)) {
            at = firing.plus(every);
        }
        Retry pending = pendingRetry;
        if (pending != null) {
            if (newest.isPresent() && newest.get().isAfter(pending.failedAt())) {
                pendingRetry = null; // a backup was taken since the failure
            } else if (pending.at().isBefore(at)) {
                at = pending.at();
            }
        }
        return new Due(at.isBefore(now) ? now : at, finished, now);
    }

    void run() {
        run(false);
    }

    /** @param retry whether this is a deferred firing trying again, which a snapshot run going settles silently */
    private void run(boolean retry) {
        SnapshotService.Run run;
        try {
            run = service.begin(Reason.SCHEDULE);
        } catch (SnapshotInProgressException e) {
            if (!e.runningReason().snapshots()) {
                if (!deferred) {
                    LOG.infof("Scheduled snapshot deferred until the restore going ends: %s", e.getMessage());
                }
                deferred = true;
                return;
            }
            deferred = false; // a snapshot is being taken: this firing has nothing to add
            pendingRetry = null; // nor has a retry: that run is one
            if (!retry) {
                service.skip(Reason.SCHEDULE, "Scheduled snapshot skipped: " + e.getMessage(), null);
            }
            return;
        } catch (SnapshotsHeldException e) {
            deferred = false;
            pendingRetry = null; // nothing a retry heals: the next boot does
            service.skip(Reason.SCHEDULE, "Scheduled snapshot skipped: " + e.getMessage(), null);
            return;
        } catch (ShuttingDownException e) {
            return;
        }
        deferred = false;
        try (run) {
            settle(run.execute(null));
        }
    }

    /** After a scheduled run: a retry when it failed (and a retry may heal it), none otherwise. */
    private void settle(SnapshotReport report) {
        Duration first = config.snapshot().scheduleRetry();
        if (report.status() != SnapshotReport.Status.FAILED || first.isZero()) {
            lastRetry = null;
            pendingRetry = null;
            return;
        }
        if (service.blocker().isPresent()) {
            pendingRetry = null; // readiness is DOWN for it: the operator must act, and a retry would fail the same way
            return;
        }
        Duration ceiling = first.compareTo(MAX_RETRY) > 0 ? first : MAX_RETRY;
        Retry previous = lastRetry;
        if (previous != null && backupSince(previous.failedAt())) {
            previous = null; // an API run took a backup since the last failure: this one begins a new row
        }
        Duration wait = previous == null ? first : Cadence.doubled(previous.delay(), ceiling);
        Retry next = new Retry(report.startedAt(), Instant.now().plus(wait), wait);
        lastRetry = next;
        pendingRetry = next;
        LOG.infof("Scheduled snapshot failed: tried again at %s (QDRANT_SNAPSHOT_SCHEDULE_RETRY, the wait doubling "
                + "while runs fail)", next.at());
    }

    /** The cron form's retry, when one is due: run, unless a backup was taken since the failure. */
    private void retryCron() {
        Retry pending = pendingRetry;
        if (pending == null || Instant.now().isBefore(pending.at()) || service.shuttingDown()) {
            return;
        }
        if (backupSince(pending.failedAt())) {
            pendingRetry = null;
        } else {
            run(true);
        }
        publishCron();
    }

    /** Whether a verified backup newer than {@code failedAt} is known (false when that cannot be told). */
    private boolean backupSince(Instant failedAt) {
        try {
            return target.newestBackupAt().filter(newest -> newest.isAfter(failedAt)).isPresent();
        } catch (SnapshotFailure e) {
            return false;
        }
    }

    /** The cron form's next time: its next firing, or the retry due before it. */
    private void publishCron() {
        Instant next = scheduler.getScheduledJob(JOB).getNextFireTime();
        Retry pending = pendingRetry;
        publishNext(pending != null && (next == null || pending.at().isBefore(next)) ? pending.at() : next);
    }

    private void publishNext(Instant next) {
        service.targetNames().forEach(name -> metrics.nextScheduled(name, next));
    }
}
