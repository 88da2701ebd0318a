package dev.snapshotter.snapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import dev.snapshotter.snapshot.SnapshotReport.Reason;
import dev.snapshotter.snapshot.SnapshotReport.Status;
import dev.snapshotter.snapshot.SnapshotReport.TargetReport;
import dev.snapshotter.snapshot.SnapshotTarget.Outcome;
import io.quarkus.runtime.Startup;

/**
 * Runs every target, one run at a time. Single flight matters: Qdrant gives two creates in the same second the
 * same name and the second overwrites the first, so a trigger while a run holds the slot is refused, not queued.
 */
@ApplicationScoped
@Startup // created at boot, so every target's series are published before the first run
public class SnapshotService {

    private static final Logger LOG = Logger.getLogger(SnapshotService.class);

    private final List<SnapshotTarget> targets;
    private final SnapshotMetrics metrics;
    private final AtomicReference<Run> current = new AtomicReference<>();

    SnapshotService(@Any Instance<SnapshotTarget> targets, SnapshotMetrics metrics) {
        this.targets = targets.stream().sorted(Comparator.comparing(SnapshotTarget::name)).toList();
        this.metrics = metrics;
        this.targets.forEach(target -> metrics.register(target.name()));
    }

    /**
     * Takes the single-flight slot for a run.
     *
     * @throws SnapshotInProgressException when another run holds it
     */
    public Run begin(Reason reason) {
        Run run = new Run(reason, Instant.now());
        Run running = current.compareAndExchange(null, run);
        if (running != null) {
            throw new SnapshotInProgressException(running.reason, running.since);
        }
        return run;
    }

    /** A run holding the slot; closing it frees the slot. */
    public final class Run implements AutoCloseable {

        private final Reason reason;
        private final Instant since;

        private Run(Reason reason, Instant since) {
            this.reason = reason;
            this.since = since;
        }

        /**
         * Runs every target once.
         *
         * @param waitForTargets how long each target may take to become available, or null not to wait
         */
        public SnapshotReport execute(Duration waitForTargets) {
            long start = System.nanoTime();
            List<TargetReport> reports = new ArrayList<>();
            for (SnapshotTarget target : targets) {
                reports.add(runTarget(target, reason, since, waitForTargets));
            }
            return SnapshotReport.of(reason, since, millisSince(start), reports);
        }

        @Override
        public void close() {
            current.compareAndSet(this, null);
        }
    }

    private TargetReport runTarget(SnapshotTarget target, Reason reason, Instant startedAt, Duration waitFor) {
        String name = target.name();
        metrics.started(name);
        long start = System.nanoTime();
        TargetReport report;
        try {
            if (waitFor != null) {
                target.awaitAvailable(waitFor);
            }
            Outcome outcome = target.snapshot(startedAt);
            long duration = millisSince(start);
            report = new TargetReport(name, Status.COMPLETED, outcome.collection(), outcome.snapshotName(),
                    outcome.filePath(), outcome.bytesWritten(), outcome.sha256(), outcome.remoteDeleted(), duration,
                    outcome.message(), null);
            LOG.infof("Snapshot completed: reason=%s target=%s collection=%s snapshot=%s file=%s bytes=%d "
                    + "sha256=%s remoteDeleted=%s duration=%dms", reason.label(), name, outcome.collection(),
                    outcome.snapshotName(), outcome.filePath(), outcome.bytesWritten(), outcome.sha256(),
                    outcome.remoteDeleted(), duration);
        } catch (SnapshotFailure e) {
            report = failed(target, reason, e, millisSince(start));
        } catch (RuntimeException e) {
            SnapshotFailure unexpected = new SnapshotFailure(SnapshotFailure.Kind.LOCAL_IO,
                    "Unexpected error: " + e, e);
            report = failed(target, reason, unexpected, millisSince(start));
        }
        metrics.finished(name, reason, report.status(), Duration.ofMillis(report.durationMs()),
                report.bytesWritten() == null ? 0 : report.bytesWritten());
        return report;
    }

    private static TargetReport failed(SnapshotTarget target, Reason reason, SnapshotFailure e, long duration) {
        String message = e.getMessage();
        if (e.snapshotName() != null) {
            message += ". Qdrant's copy " + e.snapshotName() + " is kept on the server";
        }
        LOG.errorf("Snapshot failed: reason=%s target=%s collection=%s snapshot=%s duration=%dms: %s",
                reason.label(), target.name(), e.collection() == null ? "-" : e.collection(),
                e.snapshotName() == null ? "-" : e.snapshotName(), duration, message);
        return new TargetReport(target.name(), Status.FAILED, e.collection(), e.snapshotName(), null, null, null,
                e.snapshotName() == null ? null : Boolean.FALSE, duration, message, e.kind());
    }

    private static long millisSince(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
    }
}
