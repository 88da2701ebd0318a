package dev.snapshotter.restore;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.snapshotter.config.QdrantConfig;
import dev.snapshotter.qdrant.QdrantException;
import dev.snapshotter.snapshot.BootStep;
import dev.snapshotter.snapshot.SnapshotService;

/**
 * {@code QDRANT_SNAPSHOT_RESTORE_IF_MISSING}: at boot, when the collection {@code QDRANT_COLLECTION} names does not
 * exist on Qdrant, restores the newest verified snapshot of it (its aliases with it) before startup goes UP, so the
 * app beside this one starts on its data. A first deployment, with no snapshot yet, boots as without the option.
 */
@ApplicationScoped
class BootRestore implements BootStep {

    private static final Logger LOG = Logger.getLogger(BootRestore.class);

    private final RestoreService restores;
    private final QdrantConfig config;

    BootRestore(RestoreService restores, QdrantConfig config) {
        this.restores = restores;
        this.config = config;
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
            return new Outcome(true, "Startup stays DOWN: collection `" + collection + "` is missing on Qdrant and "
                    + "its restore from " + report.file() + " failed: " + report.message(), report.file());
        }
        return new Outcome(false, "Collection `" + collection + "` was missing on Qdrant; restored `"
                + report.collection() + "` from " + report.file() + " (" + report.pointsFound() + " points"
                + (report.aliases().isEmpty() ? "" : ", aliases " + String.join(", ", report.aliases()))
                + "); no boot snapshot of the restored data", report.file());
    }
}
