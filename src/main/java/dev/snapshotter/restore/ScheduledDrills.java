package dev.snapshotter.restore;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.snapshotter.config.QdrantConfig;
import dev.snapshotter.config.Schedule;
import dev.snapshotter.snapshot.BootSnapshot;
import dev.snapshotter.snapshot.Cadence;
import dev.snapshotter.snapshot.ShuttingDownException;
import dev.snapshotter.snapshot.SnapshotInProgressException;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import io.quarkus.scheduler.Scheduler;

/**
 * {@code QDRANT_SNAPSHOT_DRILL_SCHEDULE}: restore drills of the newest verified snapshot on Quarkus's scheduler, once
 * the boot has settled. The {@code every <duration>} form is due one interval after the last drill the directory (or
 * the bucket) records (at once when there is none or it is overdue), so restarts neither skip nor repeat drills. A firing
 * that finds a snapshot or restore going is deferred, not dropped: the drill runs within {@link #RETRY} of that run's
 * end (a weekly drill that met the daily snapshot would otherwise wait a week).
 */
@ApplicationScoped
class ScheduledDrills {

    static final String JOB = "drill-schedule";
    /** How often a drill deferred by a run going tries again. */
    static final String RETRY = "5s";
    private static final Logger LOG = Logger.getLogger(ScheduledDrills.class);

    private final QdrantConfig config;
    private final Scheduler scheduler;
    private final DrillService drills;
    private final BootSnapshot boot;
    /** A firing met a run going: the drill runs once the slot is free. */
    private volatile boolean deferred;

    ScheduledDrills(QdrantConfig config, Scheduler scheduler, DrillService drills, BootSnapshot boot) {
        this.config = config;
        this.scheduler = scheduler;
        this.drills = drills;
        this.boot = boot;
    }

    void onStart(@Observes StartupEvent event) {
        if (config.snapshot().drillSchedule().isEmpty()) {
            return;
        }
        Schedule schedule = config.snapshot().drillSchedule().get();
        Cadence.schedule(scheduler, JOB, schedule, "scheduled restore drill", () -> drills.lastDrill(false), boot,
                this::run);
        scheduler.newJob(JOB + "-deferred").setInterval(RETRY).setConcurrentExecution(ConcurrentExecution.SKIP)
                .setTask(execution -> {
                    if (deferred) {
                        run(true);
                    }
                }).schedule();
        LOG.infof("Restore drills scheduled %s", schedule);
    }

    private void run() {
        run(false);
    }

    /** @param retry whether this is a deferred firing trying again: nothing to do once a firing's drill has run */
    private synchronized void run(boolean retry) {
        if (retry && !deferred) {
            return;
        }
        try {
            drills.drill(null);
            deferred = false;
        } catch (SnapshotInProgressException e) {
            if (!deferred) {
                LOG.infof("Scheduled restore drill deferred until the run going ends: %s", e.getMessage());
            }
            deferred = true;
        } catch (ShuttingDownException e) {
            // nothing starts once shutdown has begun
        } catch (RestoreRefused | RuntimeException e) {
            deferred = false;
            LOG.errorf("Scheduled restore drill: %s", e.getMessage()); // counted and logged by the drill too
        }
    }
}
