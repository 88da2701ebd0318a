package dev.snapshotter.restore;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.snapshotter.config.QdrantConfig;
import dev.snapshotter.qdrant.QdrantClient;
import dev.snapshotter.qdrant.QdrantException;
import dev.snapshotter.snapshot.BootStep;
import dev.snapshotter.snapshot.SnapshotService;
import dev.snapshotter.store.SnapshotCatalog;
import dev.snapshotter.store.SnapshotDirectory;
import dev.snapshotter.store.SnapshotFileName;
import dev.snapshotter.store.SnapshotFileWriter;

/**
 * {@code QDRANT_SNAPSHOT_RESTORE_IF_MISSING}: at boot, when the collection {@code QDRANT_COLLECTION} names does not
 * exist on Qdrant, restores the newest verified snapshot of it (its aliases with it) before startup goes UP, so the
 * app beside this one starts on its data. A first deployment, with no snapshot yet, boots as without the option. A
 * restore that finds other points than the backup's (another count, sampled ids missing) drops the collection it
 * created again. A restore is recorded in the directory until it has ended: a collection found beside the record of one
 * that did not (the process stopped, the upload timed out while Qdrant went on restoring) may hold part of the backup
 * only, so it is dropped and restored again rather than taken for the collection.
 */
@ApplicationScoped
class BootRestore implements BootStep {

    private static final Logger LOG = Logger.getLogger(BootRestore.class);

    private final RestoreService restores;
    private final QdrantClient qdrant;
    private final SnapshotCatalog catalog;
    private final QdrantConfig config;

    BootRestore(RestoreService restores, QdrantClient qdrant, SnapshotCatalog catalog, QdrantConfig config) {
        this.restores = restores;
        this.qdrant = qdrant;
        this.catalog = catalog;
        this.config = config;
    }

    /**
     * Drops the collection a failed restore created holding other points than its backup's: the next boot would take it
     * for the collection and start the app on it; dropped, it is restored again then. Says what came of it.
     */
    private String dropRestored(String restored) {
        String notDropped = RestoreService.dropCreated(qdrant, restored);
        if (notDropped == null) {
            ended(); // nothing of the restore is left on Qdrant
        }
        return notDropped == null
                ? "; collection `" + restored + "`, which this restore created, is dropped again, so the next boot "
                        + "restores it again rather than start the app on it"
                : "; dropping collection `" + restored + "`, which this restore created, failed (" + notDropped
                        + "): drop it, or the next boot takes it for the collection and starts the app on it";
    }

    @Override
    public boolean enabled() {
        return config.snapshot().restoreIfMissing();
    }

    @Override
    public Outcome run(SnapshotService.Run slot) {
        String collection = config.collection();
        Optional<SnapshotCatalog.BootRestoreUnderWay> unfinished = catalog.bootRestoreUnderWay()
                .filter(mark -> mark.collection().equals(collection));
        String droppedFirst = "";
        try {
            if (restores.configuredCollectionExists(slot.cancellation()::cancelled)) {
                if (unfinished.isEmpty() || qdrant.aliases(RestoreService.CALL, slot.cancellation()::cancelled)
                        .containsKey(collection)) { // an alias is pointed only once the restore's checks passed
                    ended();
                    LOG.infof("Collection `%s` exists on Qdrant: nothing to restore (QDRANT_SNAPSHOT_RESTORE_IF_MISSING)",
                            collection);
                    return null;
                }
                String left = "collection `" + collection + "` was left by a boot's restore that did not end (started "
                        + unfinished.get().startedAt() + "): Qdrant may hold only part of the backup in it";
                try {
                    restores.pick(null, null); // a backup to restore it again from, before it is dropped
                } catch (RestoreRefused e) {
                    String record = config.snapshot().dir() + "/" + SnapshotDirectory.BOOT_RESTORE;
                    return new Outcome(true, "Startup stays DOWN: " + left + ", and it is kept: no backup to restore "
                            + "it again from could be had (" + e.getMessage() + "); check it, then drop it (the next "
                            + "boot restores it) or delete " + record + " to start the app on it", null);
                }
                try {
                    RestoreService.dropWithCopies(qdrant, restores.nodesOf(qdrant), collection,
                            SnapshotFileName::isUploadName, slot.cancellation()::cancelled);
                } catch (QdrantException e) {
                    return new Outcome(true, "Startup stays DOWN: " + left + ", and dropping it failed ("
                            + e.getMessage() + "): drop it, and the next boot restores it", null);
                }
                LOG.warnf("Dropped %s; it is restored again (QDRANT_SNAPSHOT_RESTORE_IF_MISSING)", left);
                droppedFirst = "; " + left + ", so it was dropped first";
            }
        } catch (QdrantException e) {
            return new Outcome(true, "Startup stays DOWN: whether collection `" + collection + "` needs a restore "
                    + "could not be told (QDRANT_SNAPSHOT_RESTORE_IF_MISSING): " + e.getMessage(), null);
        }
        LOG.warnf("Collection `%s` does not exist on Qdrant: restoring its newest verified snapshot "
                + "(QDRANT_SNAPSHOT_RESTORE_IF_MISSING)", collection);
        try {
            catalog.bootRestoreStarts(new SnapshotCatalog.BootRestoreUnderWay(collection, Instant.now().toString()));
        } catch (IOException e) {
            LOG.warnf("The boot's restore could not be recorded as under way in %s (%s): should it not end, the next "
                    + "boot takes what Qdrant restored of it for the collection", config.snapshot().dir(),
                    SnapshotFileWriter.reason(e));
        }
        RestoreReport report;
        try {
            report = restores.restoreUnder(slot, RestoreService.Request.newest());
        } catch (RestoreRefused e) {
            ended(); // refused: nothing reached Qdrant
            if (e.kind() == RestoreRefused.Kind.NOT_FOUND) {
                LOG.warnf("%s: nothing to restore, the boot goes on (a first deployment?)", e.getMessage());
                return null;
            }
            return new Outcome(true, "Startup stays DOWN: collection `" + collection + "` is missing on Qdrant and "
                    + "its restore was refused: " + e.getMessage() + droppedFirst, null);
        }
        if (report.status() == RestoreReport.Status.FAILED) {
            String dropped = report.restoredOtherData() && !Boolean.TRUE.equals(report.overwritten())
                    ? dropRestored(report.collection())
                    : "";
            return new Outcome(true, "Startup stays DOWN: collection `" + collection + "` is missing on Qdrant and "
                    + "its restore from " + report.file() + " failed: " + report.message() + dropped + droppedFirst,
                    report.file());
        }
        ended();
        return new Outcome(false, "Collection `" + collection + "` was missing on Qdrant; restored `"
                + report.collection() + "` from " + report.file() + " (" + report.pointsFound() + " points"
                + (report.aliases().isEmpty() ? "" : ", aliases " + String.join(", ", report.aliases()))
                + "); no boot snapshot of the restored data" + droppedFirst, report.file());
    }

    /** Removes the record of the boot's restore: it ended with nothing of it left unchecked on Qdrant. */
    private void ended() {
        try {
            catalog.bootRestoreEnded();
        } catch (IOException e) {
            LOG.warnf("The record of the boot's restore could not be removed (%s): the next boot drops the collection "
                    + "and restores it again", SnapshotFileWriter.reason(e));
        }
    }
}
