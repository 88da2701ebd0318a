package dev.snapshotter.snapshot;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.snapshotter.config.QdrantConfig;
import dev.snapshotter.snapshot.SnapshotReport.Reason;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import io.quarkus.scheduler.Scheduler;

/**
 * The first backup of a first deployment: once the boot's or the schedule's run was skipped because the collection did
 * not exist yet (the app beside creates it at its first start), the collection is looked for every {@link #LOOK} and
 * backed up as soon as it exists, with the reason of the run that was skipped. Without it the first backup came at the
 * next firing of the schedule (a day later with a daily one), and the data written meanwhile had none.
 */
@ApplicationScoped
public class FirstBackup {

    static final String JOB = "first-backup";
    /** How often the collection is looked for while a first deployment awaits it: one existence check. */
    static final String LOOK = "5s";
    private static final Logger LOG = Logger.getLogger(FirstBackup.class);

    private final Scheduler scheduler;
    private final SnapshotService service;
    private final QdrantSnapshotTarget target;
    private final QdrantConfig config;

    FirstBackup(Scheduler scheduler, SnapshotService service, QdrantSnapshotTarget target, QdrantConfig config) {
        this.scheduler = scheduler;
        this.service = service;
        this.target = target;
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        scheduler.newJob(JOB).setInterval(LOOK).setConcurrentExecution(ConcurrentExecution.SKIP)
                .setTask(execution -> look()).schedule();
    }

    /** Takes the first backup when a skipped run awaits the collection and it exists now. */
    void look() {
        if (target.awaitingCollection().isEmpty() || service.shuttingDown() || !target.collectionExists()) {
            return;
        }
        // read again after the look, which takes a request: a run that found the collection meanwhile ends the wait
        Optional<Reason> reason = target.awaitingCollection();
        if (reason.isEmpty()) {
            return;
        }
        SnapshotService.Run run;
        try {
            run = service.begin(reason.get());
        } catch (SnapshotInProgressException | ShuttingDownException | SnapshotsHeldException e) {
            return; // the run going finds the collection; else the next look tries again
        }
        LOG.infof("Collection %s exists now: taking its first backup", config.collection());
        try (run) {
            run.execute(null);
        }
    }
}
