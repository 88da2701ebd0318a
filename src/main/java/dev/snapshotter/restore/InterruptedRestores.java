package dev.snapshotter.restore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.snapshotter.config.RunMode;
import dev.snapshotter.qdrant.QdrantClient;
import dev.snapshotter.qdrant.QdrantException;
import dev.snapshotter.snapshot.BootSnapshot;
import dev.snapshotter.snapshot.Cadence;
import dev.snapshotter.snapshot.RunJournal;
import dev.snapshotter.snapshot.RunView;
import dev.snapshotter.snapshot.SnapshotService;
import dev.snapshotter.store.SnapshotFileName;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduler;

/**
 * What a restore the process stopped during left on Qdrant besides the collection: the copy Qdrant keeps of its upload
 * (a whole snapshot's size, in the collection's snapshots, out of any retention), which the restore deletes at its end.
 * Once the boot has settled, the copies of the restores the run journal had going are deleted, by their names only
 * ({@code restore-<backup>[-<member>].snapshot}), on every node a set may have gone to; a deletion that fails (Qdrant
 * not up yet, when the boot snapshot is off and nothing waited for it) is tried again. The collection is not touched:
 * its run, listed as failed, says to check it. A command ({@code restore}, {@code list}) does not do it.
 */
@ApplicationScoped
public class InterruptedRestores {

    private static final Logger LOG = Logger.getLogger(InterruptedRestores.class);
    static final String JOB = "restore-uploads-left";
    /** How long after a failed deletion it is tried again, the wait doubling ({@link Cadence#untilDone}). */
    static final Duration RETRY = Duration.ofSeconds(10);

    private final RunJournal journal;
    private final RestoreService restores;
    private final QdrantClient qdrant;
    private final SnapshotService runs;

    InterruptedRestores(RunJournal journal, RestoreService restores, QdrantClient qdrant, SnapshotService runs) {
        this.journal = journal;
        this.restores = restores;
        this.qdrant = qdrant;
        this.runs = runs;
    }

    void onStart(@Observes StartupEvent event, Scheduler scheduler, BootSnapshot boot) {
        if (RunMode.isCommand()) {
            return; // a command does what it was asked and nothing else
        }
        List<RunView> pending = new ArrayList<>();
        AtomicBoolean read = new AtomicBoolean();
        Cadence.untilDone(scheduler, JOB, boot, runs::shuttingDown, RETRY, () -> {
            if (read.compareAndSet(false, true)) { // the journal, read once the directory is there
                pending.addAll(journal.interruptedRestores());
            }
            pending.removeIf(this::deleteUploads);
            return pending.isEmpty();
        });
    }

    /**
     * Deletes the copies Qdrant keeps of {@code run}'s uploads into its collection; whether that is done (a failure is
     * said at WARN, and tried again).
     */
    private boolean deleteUploads(RunView run) {
        String upload = SnapshotFileName.uploadName(run.file(), null);
        String members = upload.substring(0, upload.length() - ".snapshot".length()) + "-";
        Predicate<String> ours = name -> name.equals(upload)
                || (SnapshotFileName.isUploadName(name) && name.startsWith(members));
        List<String> deleted = new ArrayList<>();
        try {
            for (QdrantClient node : restores.nodesOf(qdrant)) {
                deleted.addAll(RestoreService.deleteCopies(node, run.collection(), ours, RestoreService.CALL,
                        runs::shuttingDown));
            }
        } catch (QdrantException e) {
            LOG.warnf("The copy Qdrant keeps of the upload of %s into collection `%s` (run %s, which the process stopped "
                    + "during) could not be deleted now, and is tried again later: %s. It takes the snapshot's size on "
                    + "Qdrant's disk; it is %s in that collection's snapshots", run.file(), run.collection(), run.id(),
                    e.getMessage(), upload);
            return false;
        }
        if (!deleted.isEmpty()) {
            LOG.infof("Deleted %s from the snapshots of collection `%s`: the copy Qdrant kept of the upload of run %s, "
                    + "which the process stopped during", String.join(", ", deleted), run.collection(), run.id());
        }
        return true;
    }
}
