package dev.snapshotter.snapshot;


import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.snapshotter.config.QdrantConfig;
import dev.snapshotter.config.Schedule;
import dev.snapshotter.snapshot.SnapshotReport.Reason;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduler;
import io.quarkus.scheduler.Trigger;

/**
 * {@code QDRANT_SNAPSHOT_SCHEDULE}: runs the pipeline with reason {@code schedule} on Quarkus's scheduler. A run that
 * finds another one going is skipped, not queued (logged, and counted as {@code status="skipped"}).
 */
@ApplicationScoped
public class ScheduledSnapshots {

    static final String JOB = "snapshot-schedule";
    private static final Logger LOG = Logger.getLogger(ScheduledSnapshots.class);

    private final QdrantConfig config;
    private final Scheduler scheduler;
    private final SnapshotService service;
    private final SnapshotMetrics metrics;

    ScheduledSnapshots(QdrantConfig config, Scheduler scheduler, SnapshotService service, SnapshotMetrics metrics) {
        this.config = config;
        this.scheduler = scheduler;
        this.service = service;
        this.metrics = metrics;
    }

    void onStart(@Observes StartupEvent event) {
        if (config.snapshot().schedule().isEmpty()) {
            service.targetNames().forEach(target -> metrics.nextScheduled(target, null));
            return;
        }
        Schedule schedule = config.snapshot().schedule().get();
        Scheduler.JobDefinition<?> job = scheduler.newJob(JOB).setTask(execution -> run());
        if (schedule.cron() != null) {
            job.setCron(schedule.cron());
        } else {
            // the first run one interval after boot, not at boot: a restarting pod must not take a copy per restart
            String every = schedule.every().toSeconds() + "s";
            job.setInterval(every).setDelayed(every);
        }
        Trigger trigger = job.schedule();
        publishNext(trigger);
        LOG.infof("Snapshots scheduled %s; the next at %s", schedule, trigger.getNextFireTime());
    }

    void run() {
        try {
            SnapshotService.Run run;
            try {
                run = service.begin(Reason.SCHEDULE);
            } catch (SnapshotInProgressException e) {
                service.skip(Reason.SCHEDULE, "Scheduled snapshot skipped: " + e.getMessage(), null);
                return;
            }
            if (service.shuttingDown()) {
                run.close();
                return;
            }
            try (run) {
                run.execute(null);
            }
        } finally {
            publishNext(scheduler.getScheduledJob(JOB));
        }
    }

    private void publishNext(Trigger trigger) {
        java.time.Instant next = trigger == null ? null : trigger.getNextFireTime();
        service.targetNames().forEach(target -> metrics.nextScheduled(target, next));
    }

}
