package dev.snapshotter.restore;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.snapshotter.config.QdrantConfig;
import dev.snapshotter.offsite.OffsiteBootRestores;
import dev.snapshotter.qdrant.QdrantClient;
import dev.snapshotter.store.SnapshotCatalog;
import dev.snapshotter.store.SnapshotDirectory;
import dev.snapshotter.store.SnapshotFailure;
import dev.snapshotter.store.SnapshotFileWriter;

/**
 * The records of the boot restores of the collection {@code QDRANT_COLLECTION} names on this Qdrant that have not
 * ended: the directory's, and the bucket's for a pod whose directory does not outlive it
 * ({@link OffsiteBootRestores#enabled}). A record of a restore into another Qdrant ({@code QDRANT_URL} changed since)
 * says nothing of the collection on this one.
 */
@ApplicationScoped
class BootRestoreRecords {

    private static final Logger LOG = Logger.getLogger(BootRestoreRecords.class);

    private final SnapshotCatalog catalog;
    private final OffsiteBootRestores offsite;
    private final QdrantClient qdrant;
    private final QdrantConfig config;

    BootRestoreRecords(SnapshotCatalog catalog, OffsiteBootRestores offsite, QdrantClient qdrant,
            QdrantConfig config) {
        this.catalog = catalog;
        this.offsite = offsite;
        this.qdrant = qdrant;
        this.config = config;
    }

    /**
     * The records found.
     *
     * @param unfinished the restore they record (the directory's, else the bucket's oldest), empty when none is
     * @param where where each record is, for a message
     * @param bucket the names of the bucket's records
     */
    record Found(Optional<SnapshotCatalog.BootRestoreUnderWay> unfinished, List<String> where, List<String> bucket) {
    }

    /** The records of boot restores under way of the collection on this Qdrant. */
    Found find() {
        String collection = config.collection();
        String here = qdrant.url().toString();
        Predicate<SnapshotCatalog.BootRestoreUnderWay> ours = mark -> mark.collection().equals(collection)
                && (mark.qdrant() == null || mark.qdrant().equals(here));
        Optional<SnapshotCatalog.BootRestoreUnderWay> unfinished = catalog.bootRestoreUnderWay().filter(ours);
        List<String> where = new ArrayList<>(unfinished
                .map(mark -> List.of(config.snapshot().dir() + "/" + SnapshotDirectory.BOOT_RESTORE)).orElse(List.of()));
        List<String> bucket = new ArrayList<>();
        for (OffsiteBootRestores.UnderWay recorded : offsite.enabled() ? offsite.underWay()
                : List.<OffsiteBootRestores.UnderWay> of()) {
            if (ours.test(recorded.mark())) {
                bucket.add(recorded.record());
                where.add(offsite.uri(recorded.record()));
                unfinished = unfinished.or(() -> Optional.of(recorded.mark()));
            }
        }
        return new Found(unfinished, where, bucket);
    }

    /**
     * Records, in the directory and for a pod without a volume in the bucket too, that the boot's restore {@code mark}
     * starts; a record that cannot be written is a warning. The name of the bucket's record, or null.
     */
    String starts(SnapshotCatalog.BootRestoreUnderWay mark) {
        try {
            catalog.bootRestoreStarts(mark);
        } catch (IOException e) {
            LOG.warnf("The boot's restore could not be recorded as under way in %s (%s): should it not end, the next "
                    + "boot takes what Qdrant restored of it for the collection", config.snapshot().dir(),
                    SnapshotFileWriter.reason(e));
        }
        if (offsite.enabled()) {
            try {
                return offsite.starts(mark);
            } catch (SnapshotFailure | IOException e) {
                LOG.warnf("The boot's restore could not be recorded as under way in the bucket (%s): should it not end "
                        + "and the directory not outlive this process, the next boot takes what Qdrant restored of it "
                        + "for the collection", e.getMessage());
            }
        }
        return null;
    }

    /**
     * Removes the records of a boot's restore, the bucket's ({@code bucket}, from which each removed one goes) first,
     * then the directory's. Says which of the bucket's could not be, and why ({@code <where>, could not be removed (<why>)}),
     * or null: a
     * later boot, whose directory may not be this one, would take the collection for one a restore left unfinished.
     */
    String end(List<String> bucket) {
        for (String record : List.copyOf(bucket)) {
            try {
                offsite.ended(record);
                bucket.remove(record);
            } catch (SnapshotFailure e) {
                return offsite.uri(record) + ", could not be removed (" + e.getMessage() + ")";
            }
        }
        try {
            catalog.bootRestoreEnded();
        } catch (IOException e) {
            LOG.warnf("The record of the boot's restore could not be removed (%s): the next boot checks the collection "
                    + "against the newest backup, and drops it and restores it again unless it holds it whole",
                    SnapshotFileWriter.reason(e));
        }
        return null;
    }
}
