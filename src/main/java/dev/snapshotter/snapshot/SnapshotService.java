package dev.snapshotter.snapshot;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.concurrent.locks.LockSupport;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.snapshotter.offsite.OffsiteCopies;
import dev.snapshotter.offsite.OffsiteReport;
import dev.snapshotter.snapshot.SnapshotReport.Reason;
import dev.snapshotter.snapshot.SnapshotReport.Status;
import dev.snapshotter.snapshot.SnapshotReport.TargetReport;
import dev.snapshotter.snapshot.SnapshotTarget.Outcome;
import dev.snapshotter.store.SnapshotFailure;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.Startup;

/**
 * Runs every target, one run at a time. Single flight matters: Qdrant gives two creates in the same second the
 * same name and the second overwrites the first, so a trigger while a run holds the slot is refused, not queued.
 * At shutdown the run going is cancelled, so that it answers its caller and cleans up before the container stops.
 */
@ApplicationScoped
@Startup // created at boot, so every target's series are published before the first run
public class SnapshotService {

    private static final Logger LOG = Logger.getLogger(SnapshotService.class);
    /** How long shutdown waits for a cancelled run to clean up; well inside Kubernetes' 30 s grace period. */
    static final Duration CANCEL_GRACE = Duration.ofSeconds(4);

    private final List<SnapshotTarget> targets;
    private final SnapshotMetrics metrics;
    private final OffsiteCopies offsite;
    private final AtomicReference<Run> current = new AtomicReference<>();
    private volatile boolean shuttingDown;
    private volatile Blocker blocker;
    private final AtomicLong finishedRuns = new AtomicLong();
    private static final AtomicReferenceFieldUpdater<SnapshotService, Blocker> BLOCKER = AtomicReferenceFieldUpdater
            .newUpdater(SnapshotService.class, Blocker.class, "blocker");

    private final RunJournal journal;
    /** Why snapshot runs are refused ({@link #hold}); null while they are not. */
    private volatile String held;
    private final Instance<ObjectMapper> json;
    private static final DateTimeFormatter RUN_ID = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH-mm-ss-SSS'Z'",
            Locale.ROOT).withZone(ZoneOffset.UTC);

    SnapshotService(@Any Instance<SnapshotTarget> targets, SnapshotMetrics metrics, OffsiteCopies offsite,
            RunJournal journal, Instance<ObjectMapper> json) {
        this.targets = targets.stream().sorted(Comparator.comparing(SnapshotTarget::name)).toList();
        this.metrics = metrics;
        this.offsite = offsite;
        this.journal = journal;
        this.json = json;
        this.targets.forEach(target -> metrics.register(target.name()));
    }

    /**
     * Takes the single-flight slot for a run.
     *
     * @throws SnapshotInProgressException when another run holds it
     * @throws SnapshotsHeldException for a snapshot, while snapshots are held ({@link #hold})
     */
    public Run begin(Reason reason) {
        if (shuttingDown) {
            throw new ShuttingDownException();
        }
        String why = held;
        if (why != null && reason.snapshots() && reason != Reason.STARTUP) { // the boot's own run ends the hold
            throw new SnapshotsHeldException(why);
        }
        Run run = new Run(reason, Instant.now());
        Run running = current.compareAndExchange(null, run);
        // a run that has ended (shown finished: it lets the slot go once journaled, milliseconds, longer on a slow
        // volume), or a check of a restore Qdrant went on with, turns no run away
        if (running != null && (running.resumed || running.ended(Duration.ZERO))) {
            running = afterEnd(running, run);
        }
        if (running != null) {
            throw new SnapshotInProgressException(running.reason, running.since);
        }
        journal.add(run.view()); // as going: a restart that finds it so says it never ended
        return run;
    }

    /**
     * Takes the slot for {@code run} once {@code holding}, which holds it, has ended and let it go (within
     * {@link #RESUMED_WAIT}): null once taken, else the run that holds it.
     */
    private Run afterEnd(Run holding, Run run) {
        long deadline = System.nanoTime() + RESUMED_WAIT.toNanos();
        if (!holding.ended(RESUMED_WAIT)) {
            return holding;
        }
        Run now;
        while ((now = current.compareAndExchange(null, run)) == holding && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000); // it has ended: it lets the slot go once journaled
        }
        return now;
    }

    /**
     * How long a run asked for waits for a resumed run ({@link #resume}), or one that has ended, to let the slot go
     * before it is refused: a resumed run checks a collection (milliseconds; a cluster's replicas may take longer), an
     * ended one writes its journal entry, and neither turns a run away for that.
     */
    static final Duration RESUMED_WAIT = Duration.ofSeconds(30);

    /**
     * Takes the single-flight slot again for run {@code earlier}, a restore that ended (journaled) while Qdrant went on
     * with its work, to follow that work: it shows as going under its own id while it holds the slot, and the journal
     * has it anew, in place of how it ended, only once a report is given ({@link Run#finish}); closed without one, the
     * run stays as it ended. A run asked for meanwhile waits for it to end ({@link #RESUMED_WAIT}).
     *
     * @return empty while another run holds the slot, or once shutdown has begun
     */
    public Optional<Run> resume(RunView earlier) {
        if (shuttingDown) {
            return Optional.empty();
        }
        Run run = new Run(Reason.RESTORE, earlier.startedAt(), earlier.id());
        run.file = earlier.file();
        run.collection = earlier.collection();
        return current.compareAndSet(null, run) ? Optional.of(run) : Optional.empty();
    }

    /**
     * Refuses every snapshot run but the boot's from now on, for {@code why} (restores and drills still run): the boot
     * has not ended its restore of the collection, and a snapshot of what Qdrant holds could replace good backups;
     * null ends it.
     */
    void hold(String why) {
        held = why;
    }

    /** Whether shutdown has begun: nothing should start a run any more. */
    public boolean shuttingDown() {
        return shuttingDown;
    }

    /**
     * The failure that keeps readiness DOWN: the last run failed for a reason that does not heal by itself (the
     * snapshot directory unusable, Qdrant refusing our key). It stands until a run succeeds or the target finds the
     * condition gone (looked at on each call, while no run is going).
     */
    public Optional<Blocker> blocker() {
        Blocker standing = blocker;
        if (standing == null || current.get() != null) {
            return Optional.ofNullable(standing);
        }
        SnapshotTarget target = targets.stream().filter(t -> t.name().equals(standing.target())).findFirst()
                .orElse(null);
        if (target != null && target.recovered(standing.cause())) {
            if (BLOCKER.compareAndSet(this, standing, null)) {
                LOG.infof("Readiness recovers: %s no longer holds (%s)", standing.cause().condition(),
                        standing.target());
            }
            return Optional.empty();
        }
        return Optional.of(standing);
    }

    /**
     * A failure no retry heals by itself.
     *
     * @param since when the run that failed so ended
     */
    public record Blocker(String target, SnapshotTarget.Blocking cause, String message, Instant since) {
    }

    /** How many runs have finished since boot: what they left on disk may have changed. */
    public long finishedRuns() {
        return finishedRuns.get();
    }

    /** The names of the targets, in the order they run. */
    public List<String> targetNames() {
        return targets.stream().map(SnapshotTarget::name).toList();
    }

    /** Records a run that was decided against before it started, such as a boot snapshot not needed. */
    public SnapshotReport skip(Reason reason, String message, String file) {
        Instant now = Instant.now();
        SnapshotReport report = SnapshotReport.skipped(reason, now, targetNames(), message, file);
        targets.forEach(target -> metrics.finished(target.name(), reason, Status.SKIPPED, Duration.ZERO, 0));
        LOG.infof("Snapshot skipped: reason=%s: %s", reason.label(), message);
        journal.add(new RunView(RUN_ID.format(now) + "-" + reason.label(), reason.label(), "skipped", "done", now, now,
                0, 0, 0, null, null, null, null, null, message, json.get().valueToTree(report)));
        return report;
    }

    /** The run going (if any) and the last finished ones, newest first. */
    public List<RunView> runs() {
        List<RunView> all = new ArrayList<>();
        Run running = current.get();
        if (running != null) {
            all.add(running.view());
        }
        journal.finished().stream().filter(view -> running == null || !view.id().equals(running.id)).forEach(all::add);
        return all;
    }

    /** The run of that id, going or among the last finished ones. */
    public Optional<RunView> run(String id) {
        return runs().stream().filter(view -> view.id().equals(id)).findFirst();
    }

    /**
     * Cancels the run going when it has this id, with the guarantees of a shutdown (nothing published, temporary files
     * removed, Qdrant's copy recorded for the next run); its caller is answered as by a shutdown.
     *
     * @return the run as it stands, or empty when no run of that id is going
     * @throws Cancellation.TooLate when the run can no longer be stopped (a restore whose upload Qdrant has whole)
     */
    public Optional<RunView> cancel(String id) throws Cancellation.TooLate {
        Run running = current.get();
        if (running == null || !running.id.equals(id)) {
            return Optional.empty();
        }
        try {
            running.cancel(Cancellation.API);
        } catch (Cancellation.TooLate e) {
            LOG.warnf("Run %s (reason %s) was not cancelled through the API: %s", id, running.reason.label(),
                    e.getMessage());
            throw e;
        }
        LOG.warnf("Run %s (reason %s) cancelled through the API", id, running.reason.label());
        return Optional.of(running.view());
    }

    /**
     * Shutdown has begun (Quarkus's pre-shutdown, before the HTTP server stops): the run going is cancelled and given
     * {@link #CANCEL_GRACE} to answer its caller and remove its temporary files.
     */
    void onShutdown(@Observes ShutdownDelayInitiatedEvent event) {
        shuttingDown = true;
        Run run = current.get();
        if (run != null) {
            boolean cancelled = true;
            try {
                run.cancel(Cancellation.SHUTDOWN);
            } catch (Cancellation.TooLate e) {
                cancelled = false;
                LOG.warnf("Shutdown waits %ss for run %s: %s", CANCEL_GRACE.toSeconds(), run.id, e.getMessage());
            }
            if (!run.ended(CANCEL_GRACE)) {
                if (cancelled) {
                    LOG.warnf("The cancelled run %s did not finish within %ss of shutdown", run.id,
                            CANCEL_GRACE.toSeconds());
                } else {
                    LOG.warnf("Run %s had not ended %ss into the shutdown, which goes on without it: Qdrant restores "
                            + "the upload to its end in a task of its own, and after the restart the service checks "
                            + "what it left (a restore asked through the API is followed, a boot's restore checked, a "
                            + "drill's scratch collection dropped)", run.id, CANCEL_GRACE.toSeconds());
                }
            }
        }
    }

    /** A run holding the slot; closing it frees the slot. */
    public final class Run implements AutoCloseable {

        private final Reason reason;
        private final Instant since;
        private final String id;
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile Cancellation cancellation;
        private volatile String cancelRequested;
        private volatile SnapshotTarget.Progress progress = new SnapshotTarget.Progress();
        private volatile Object result;
        private volatile String message;
        private volatile String file;
        private volatile String collection;
        private volatile long bytesDone;
        private volatile long bytesExpected;
        private volatile String replaces;

        /** A run taken up again ({@link #resume}): journaled at its close only when it was given a report. */
        private final boolean resumed;

        private Run(Reason reason, Instant since) {
            this(reason, since, RUN_ID.format(since) + "-" + reason.label(), false);
        }

        private Run(Reason reason, Instant since, String id) {
            this(reason, since, id, true);
        }

        private Run(Reason reason, Instant since, String id, boolean resumed) {
            this.reason = reason;
            this.since = since;
            this.id = id;
            this.resumed = resumed;
        }

        /** The run's id, as {@code /api/runs/{id}} names it. */
        public String id() {
            return id;
        }

        /** What work other than a snapshot done under this slot is doing now ({@code restoring}, {@code drilling}). */
        public void phase(String now) {
            progress.phase(now);
        }

        /**
         * A restore under this slot is uploading {@code file} into {@code collection}: the run shows it, and the journal
         * has it now, so that a run the process stops during names the collection it may have left half restored.
         */
        public void restoring(String file, String collection) {
            this.file = file;
            this.collection = collection;
            journal.add(view());
        }

        /**
         * This run stands in the history in place of run {@code earlier} (a boot's try again in place of the one before
         * it, which said the same wait): a boot that waits hours for Qdrant does not push every other run out of it.
         */
        void replaces(String earlier) {
            replaces = earlier;
        }

        /** The report of work other than a snapshot done under this slot (a restore's, a drill's). */
        public void finish(Object report) {
            result = report;
        }

        /**
         * Work under this slot failed for this reason: the run says it, unless the work reported already (a restore's
         * failed report stands).
         */
        public void failed(String why) {
            if (result == null) {
                message = why;
            }
        }

        /**
         * Work under this slot was refused, for this reason: the run failed, whatever a snapshot it took first (a
         * restore's safety snapshot) reported.
         */
        public void refused(String why) {
            message = why;
            result = null;
        }

        /** The run as the API shows it: live while it goes, final once closed. */
        RunView view() {
            boolean going = done.getCount() > 0;
            long doneBytes = bytesDone;
            long expected = bytesExpected;
            if (going) {
                for (SnapshotTarget target : targets) {
                    doneBytes += metrics.runBytes(target.name(), true);
                    expected += metrics.runBytes(target.name(), false);
                }
            }
            Instant end = going ? null : finishedAt;
            long millis = Duration.between(since, end == null ? Instant.now() : end).toMillis();
            Long rate = millis > 0 && doneBytes > 0 ? doneBytes * 1000 / millis : null;
            Long left = going && rate != null && rate > 0 && expected > doneBytes ? (expected - doneBytes) / rate : null;
            JsonNode report = result == null ? null : json.get().valueToTree(result);
            Cancellation cancel = cancellation;
            String by = cancel != null && cancel.by() != null ? cancel.by() : cancelRequested;
            String reported = report != null && report.hasNonNull("status") ? report.get("status").asText() : null;
            // a cancel taken too late to stop anything (a snapshot published, a restore Qdrant took whole as it was
            // asked) leaves the run completed: cancelledBy says it was asked
            String status = going ? "running"
                    : "completed".equals(reported) ? reported
                            : by != null ? "cancelled"
                                    : reported != null ? reported
                                            : "failed";
            return new RunView(id, reason.label(), status, going ? progress.phase() : "done", since, end, millis,
                    doneBytes, expected, rate, left, by, file, collection, message, report);
        }

        private volatile Instant finishedAt;

        /** Keeps what a target's download moved, before its gauges go back to 0. */
        private void keepBytes(String target) {
            bytesDone += metrics.runBytes(target, true);
            bytesExpected += metrics.runBytes(target, false);
        }

        /**
         * Runs every target once, on the calling thread.
         *
         * @param waitForTargets how long each target may take to become available, or null not to wait
         */
        public SnapshotReport execute(Duration waitForTargets) {
            return execute(waitForTargets, null);
        }

        /**
         * Runs every target once, on the calling thread.
         *
         * @param waitForTargets how long each target may take to become available, or null not to wait
         * @param skipIfNewerThan skip a target whose newest verified snapshot is younger than this, or null
         */
        public SnapshotReport execute(Duration waitForTargets, Duration skipIfNewerThan) {
            return execute(reason, waitForTargets, skipIfNewerThan);
        }

        /**
         * Snapshots every target once, on the calling thread, under the slot a restore holds, before it overwrites the
         * collection: the snapshot runs as any other (verified, in the catalog, off-site), with the reason
         * {@code pre_restore}; the restore's cancellation cancels it.
         *
         * @throws SnapshotsHeldException while snapshots are held ({@link #hold}): it would be the newest backup
         */
        public SnapshotReport snapshotBeforeRestore() {
            String why = held;
            if (why != null) {
                throw new SnapshotsHeldException(why);
            }
            SnapshotReport report = execute(Reason.PRE_RESTORE, null, null);
            progress = new SnapshotTarget.Progress(); // the snapshot's is finished; the restore goes on
            progress.phase("restoring");
            return report;
        }

        private SnapshotReport execute(Reason as, Duration waitForTargets, Duration skipIfNewerThan) {
            long start = System.nanoTime();
            List<TargetReport> reports = new ArrayList<>();
            Cancellation cancel = cancellation(); // one per run: work already going under the slot keeps seeing it
            for (SnapshotTarget target : targets) {
                SnapshotTarget.Progress targetProgress = new SnapshotTarget.Progress();
                progress = targetProgress;
                reports.add(runTarget(this, target, new SnapshotTarget.RunContext(as, since, cancel,
                        skipIfNewerThan, targetProgress), waitForTargets));
                targetProgress.finish();
            }
            SnapshotReport report = SnapshotReport.of(as, since, millisSince(start), reports);
            result = report;
            return report;
        }

        /**
         * The cancellation of work other than the targets' done under this slot (a restore): shutdown cancels it as it
         * cancels a snapshot.
         */
        public synchronized Cancellation cancellation() {
            if (cancellation == null) {
                cancellation = new Cancellation(cancelRequested);
            }
            return cancellation;
        }

        synchronized void cancel(String by) throws Cancellation.TooLate {
            Cancellation cancel = cancellation;
            if (cancel != null) {
                cancel.cancel(by);
            }
            cancelRequested = by;
        }

        /** Whether this run ended within {@code wait}. */
        boolean ended(Duration wait) {
            try {
                return done.await(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        @Override
        public void close() {
            finishedAt = Instant.now();
            done.countDown();
            if (current.get() == this && (!resumed || result != null)) {
                journal.add(view(), replaces);
            }
            if (current.compareAndSet(this, null)) {
                finishedRuns.incrementAndGet();
            }
        }
    }

    private TargetReport runTarget(Run owner, SnapshotTarget target, SnapshotTarget.RunContext run, Duration waitFor) {
        String name = target.name();
        Reason reason = run.reason();
        metrics.started(name);
        long start = System.nanoTime();
        TargetReport report;
        try {
            if (waitFor != null) {
                target.awaitAvailable(waitFor, run.cancellation());
            }
            Outcome outcome = target.snapshot(run);
            OffsiteReport copy = null;
            if (outcome.status() == Status.COMPLETED && offsite.enabled()) {
                run.progress().phase("offsite");
                long copyStart = System.nanoTime();
                try {
                    copy = offsite.afterSnapshot(Path.of(outcome.filePath()), run.cancellation()::cancelled);
                } catch (SnapshotFailure e) {
                    report = offsiteFailed(target, run, outcome, e, millisSince(start), millisSince(copyStart));
                    owner.keepBytes(name);
                    metrics.finished(name, reason, report.status(), Duration.ofMillis(report.durationMs()),
                            outcome.pruned().size());
                    return report;
                }
            }
            long duration = millisSince(start);
            report = report(name, outcome, run.progress(), outcome.status(), duration, outcome.message(), null, copy,
                    null);
            if (outcome.status() == Status.SKIPPED) {
                LOG.infof("Snapshot skipped: reason=%s target=%s: %s", reason.label(), name, outcome.message());
            } else {
                BLOCKER.set(this, null);
                LOG.infof("Snapshot completed: reason=%s target=%s collection=%s snapshot=%s file=%s bytes=%d "
                        + "sha256=%s remoteDeleted=%s pruned=%d offsite=%s duration=%dms", reason.label(), name,
                        outcome.collection(), outcome.members() == null ? outcome.snapshotName()
                                : "set of " + outcome.members().size(),
                        outcome.filePath(), outcome.bytesWritten(),
                        outcome.sha256(), outcome.remoteDeleted(), outcome.pruned().size(),
                        copy == null ? "off" : "s3://" + copy.bucket() + "/" + copy.key(), duration);
            }
        } catch (SnapshotFailure e) {
            report = failed(target, run, e, millisSince(start));
            SnapshotTarget.Blocking cause = run.cancellation().cancelled() ? null : target.blocking(e);
            if (cause != null) {
                blocker = new Blocker(name, cause, report.message(), Instant.now());
            }
        } catch (RuntimeException e) {
            SnapshotFailure unexpected = new SnapshotFailure(SnapshotFailure.Kind.LOCAL_IO,
                    "Unexpected error: " + e, e);
            report = failed(target, run, unexpected, millisSince(start));
        }
        owner.keepBytes(name);
        metrics.finished(name, reason, report.status(), Duration.ofMillis(report.durationMs()),
                report.pruned() == null ? 0 : report.pruned().size());
        return report;
    }

    /**
     * The snapshot is verified and kept locally, but its off-site copy failed: the run failed at the stage
     * {@code offsite}, and the next run's catch-up copies the file.
     */
    private TargetReport offsiteFailed(SnapshotTarget target, SnapshotTarget.RunContext run, Outcome outcome,
            SnapshotFailure e, long duration, long copyDuration) {
        Path file = Path.of(outcome.filePath());
        OffsiteReport copy = offsite.failed(file, copyDuration, outcome.sha256(), e);
        String message = "Off-site copy failed: " + e.getMessage() + ". The verified local snapshot " + file.getFileName()
                + " is kept; the next run copies it" + (outcome.message() == null ? "" : ". " + outcome.message());
        LOG.errorf("Snapshot failed: reason=%s target=%s collection=%s snapshot=%s file=%s stage=offsite "
                + "offsite=failed duration=%dms: %s", run.reason().label(), target.name(), outcome.collection(),
                outcome.snapshotName(), outcome.filePath(), duration, message);
        SnapshotFailure.Kind kind = e.kind() == SnapshotFailure.Kind.OFFSITE_TIMEOUT
                || e.kind() == SnapshotFailure.Kind.CANCELLED
                || e.kind() == SnapshotFailure.Kind.LOCAL_IO ? e.kind() : SnapshotFailure.Kind.OFFSITE;
        return report(target.name(), outcome, run.progress(), Status.FAILED, duration, message, "offsite", copy, kind);
    }

    /** A target's report of a snapshot it kept: what it wrote, and what the run did on the way. */
    private static TargetReport report(String target, Outcome outcome, SnapshotTarget.Progress progress, Status status,
            long duration, String message, String stage, OffsiteReport copy, SnapshotFailure.Kind kind) {
        return new TargetReport(target, status, outcome.collection(), outcome.snapshotName(), outcome.filePath(),
                outcome.status() == Status.SKIPPED ? null : outcome.bytesWritten(), outcome.sha256(),
                outcome.remoteDeleted(), duration, message, nullIfEmpty(outcome.pruned()),
                nullIfEmpty(progress.orphansRemoved()), stage, copy, kind, outcome.members());
    }

    private static <T> List<T> nullIfEmpty(List<T> list) {
        return list == null || list.isEmpty() ? null : list;
    }

    private static TargetReport failed(SnapshotTarget target, SnapshotTarget.RunContext run, SnapshotFailure e,
            long duration) {
        SnapshotTarget.Progress done = run.progress();
        String snapshotName = done.snapshotName();
        String collection = done.collection() == null ? "-" : done.collection();
        String snapshot = snapshotName == null ? "-" : snapshotName;
        List<String> orphans = nullIfEmpty(done.orphansRemoved());
        Boolean remoteDeleted = snapshotName == null ? null : Boolean.FALSE;
        boolean cancelled = run.cancellation().cancelled();
        String message;
        if (cancelled) {
            message = (Cancellation.API.equals(run.cancellation().by()) ? "Cancelled through DELETE /api/runs"
                    : "Cancelled by shutdown") + "; nothing was kept"
                    + (snapshotName == null ? "" : ", and " + target.copyLeft(snapshotName, true));
            LOG.warnf("Snapshot cancelled by %s: reason=%s target=%s collection=%s snapshot=%s duration=%dms",
                    run.cancellation().by(), run.reason().label(), target.name(), collection, snapshot, duration);
        } else {
            message = e.getMessage() + (snapshotName == null ? "" : ". " + target.copyLeft(snapshotName, false));
            LOG.errorf("Snapshot failed: reason=%s target=%s collection=%s snapshot=%s duration=%dms: %s",
                    run.reason().label(), target.name(), collection, snapshot, duration, message);
        }
        return new TargetReport(target.name(), Status.FAILED, done.collection(), snapshotName, null, null, null,
                remoteDeleted, duration, message, null, orphans, null, null,
                cancelled ? SnapshotFailure.Kind.CANCELLED : e.kind(), null);
    }

    private static long millisSince(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
    }
}
