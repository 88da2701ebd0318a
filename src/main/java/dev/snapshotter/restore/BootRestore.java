package dev.snapshotter.restore;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.snapshotter.config.QdrantConfig;
import dev.snapshotter.qdrant.QdrantClient;
import dev.snapshotter.qdrant.QdrantException;
import dev.snapshotter.snapshot.BootStep;
import dev.snapshotter.snapshot.SnapshotService;

/**
 * {@code QDRANT_SNAPSHOT_RESTORE_IF_MISSING}: at boot, when the collection {@code QDRANT_COLLECTION} names does not
 * exist on Qdrant, restores the newest verified snapshot of it (its aliases with it) before startup goes UP, so the
 * app beside this one starts on its data. A first deployment, with no snapshot yet, boots as without the option. A
 * restore that finds other points than the backup's (another count, sampled ids missing) drops the collection it
 * created again.
 */
@ApplicationScoped
class BootRestore implements BootStep {

    private static final Logger LOG = Logger.getLogger(BootRestore.class);

    private final RestoreService restores;
    private final QdrantClient qdrant;
    private final QdrantConfig config;

    BootRestore(RestoreService restores, QdrantClient qdrant, QdrantConfig config) {
        this.restores = restores;
        this.qdrant = qdrant;
        this.config = config;
    }

    /**
     * Drops the collection a failed restore created holding other points than its backup's: the next boot would take it
     * for the collection and start the app on it; dropped, it is restored again then. Says what came of it.
     */
    private String dropRestored(String restored) {
        String notDropped = RestoreService.dropCreated(qdrant, restored);
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
        try {
            if (restores.configuredCollectionExists(slot.cancellation()::cancelled)) {
                LOG.infof("Collection `%s` exists on Qdrant: nothing to restore (QDRANT_SNAPSHOT_RESTORE_IF_MISSING)",
                        collection);
                return null;
            }
        } catch (QdrantException e) {
            return new Outcome(true, "Startup stays DOWN: whether collection `" + collection + "` needs a restore "
                    + "could not be told (QDRANT_SNAPSHOT_RESTORE_IF_MISSING): " + e.getMessage(), null);
        }
        LOG.warnf("Collection `%s` does not exist on Qdrant: restoring its newest verified snapshot "
                + "(QDRANT_SNAPSHOT_RESTORE_IF_MISSING)", collection);
        RestoreReport report;
        try {
            report = restores.restoreUnder(slot, RestoreService.Request.newest());
        } catch (RestoreRefused e) {
            if (e.kind() == RestoreRefused.Kind.NOT_FOUND) {
                LOG.warnf("%s: nothing to restore, the boot goes on (a first deployment?)", e.getMessage());
                return null;
            }
            return new Outcome(true, "Startup stays DOWN: collection `" + collection + "` is missing on Qdrant and "
                    + "its restore was refused: " + e.getMessage(), null);
        }
        if (report.status() == RestoreReport.Status.FAILED) {
            String dropped = report.restoredOtherData() && !Boolean.TRUE.equals(report.overwritten())
                    ? dropRestored(report.collection())
                    : "";
            return new Outcome(true, "Startup stays DOWN: collection `" + collection + "` is missing on Qdrant and "
                    + "its restore from " + report.file() + " failed: " + report.message() + dropped, report.file());
        }
        return new Outcome(false, "Collection `" + collection + "` was missing on Qdrant; restored `"
                + report.collection() + "` from " + report.file() + " (" + report.pointsFound() + " points"
                + (report.aliases().isEmpty() ? "" : ", aliases " + String.join(", ", report.aliases()))
                + "); no boot snapshot of the restored data", report.file());
    }
}
