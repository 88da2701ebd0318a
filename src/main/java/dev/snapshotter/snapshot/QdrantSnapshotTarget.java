package dev.snapshotter.snapshot;

import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.snapshotter.config.QdrantConfig;
import dev.snapshotter.qdrant.QdrantClient;
import dev.snapshotter.qdrant.QdrantException;
import dev.snapshotter.qdrant.SnapshotDescription;
import dev.snapshotter.snapshot.SnapshotFailure.Kind;

/**
 * Backs up one Qdrant collection: resolve the alias, create the snapshot, stream it to a verified file, then
 * delete Qdrant's server-side copy. Qdrant's copy is only ever deleted once ours is verified.
 */
@ApplicationScoped
public class QdrantSnapshotTarget implements SnapshotTarget {

    private static final Logger LOG = Logger.getLogger(QdrantSnapshotTarget.class);
    /** Deadline of the quick calls (alias list, existence, delete) and of one readiness probe. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    /** A probe shorter than this says nothing about Qdrant, only about the clock. */
    private static final Duration MIN_PROBE = Duration.ofMillis(100);

    private final QdrantClient qdrant;
    private final QdrantConfig config;
    private final SnapshotDirectory directory;

    QdrantSnapshotTarget(QdrantClient qdrant, QdrantConfig config, SnapshotDirectory directory) {
        this.qdrant = qdrant;
        this.config = config;
        this.directory = directory;
    }

    @Override
    public String name() {
        return "qdrant";
    }

    @Override
    public void awaitAvailable(Duration timeout) throws SnapshotFailure {
        long deadline = System.nanoTime() + timeout.toNanos();
        long backoffMillis = 100;
        QdrantException last;
        while (true) {
            long remaining = deadline - System.nanoTime();
            Duration probe = Duration.ofNanos(Math.max(MIN_PROBE.toNanos(), Math.min(PROBE_TIMEOUT.toNanos(), remaining)));
            try {
                qdrant.ready(probe).await().indefinitely();
                return;
            } catch (QdrantException e) {
                last = e;
                LOG.debugf("Waiting for Qdrant: %s", e.getMessage());
            }
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left < MIN_PROBE.toMillis()) {
                break;
            }
            sleep(Math.min(backoffMillis, left - MIN_PROBE.toMillis()));
            backoffMillis = Math.min(backoffMillis * 2, 2000);
        }
        throw new SnapshotFailure(Kind.UNREACHABLE, "Qdrant at " + qdrant.url() + " did not become ready within "
                + QdrantException.describe(timeout) + " (QDRANT_WAIT_TIMEOUT); last: " + last.getMessage(), last);
    }

    @Override
    public Outcome snapshot(Instant startedAt) throws SnapshotFailure {
        String collection;
        try {
            collection = qdrant.resolveCollection(config.collection(), CALL_TIMEOUT);
        } catch (QdrantException e) {
            throw failure(e);
        }
        SnapshotFileWriter writer = directory.writer();
        try {
            writer.requireWritable();
        } catch (SnapshotFailure e) {
            throw e.at(collection, null);
        }
        SnapshotDescription description;
        try {
            description = qdrant.createSnapshot(collection, config.snapshot().timeout());
        } catch (QdrantException e) {
            if (e.kind() == QdrantException.Kind.TIMEOUT) {
                throw new SnapshotFailure(Kind.UPSTREAM_TIMEOUT, e.getMessage() + " (QDRANT_SNAPSHOT_TIMEOUT); Qdrant "
                        + "may still finish that snapshot, which then stays in its snapshot list", e)
                        .at(collection, null);
            }
            throw failure(e).at(collection, null);
        }
        String name = description.name();
        SnapshotFileWriter.Written written;
        try {
            if (description.size() != null) {
                writer.requireSpace(description.size());
            }
            try (QdrantClient.Download download = qdrant.download(collection, name)) {
                if (description.size() == null && download.contentLength() >= 0) {
                    writer.requireSpace(download.contentLength());
                }
                written = writer.write(download.body(), SnapshotFileWriter.finalName(startedAt, collection),
                        new SnapshotFileWriter.Expected(description.size(), download.contentLength(),
                                blankToNull(description.checksum())));
            }
        } catch (QdrantException e) {
            throw failure(e).at(collection, name);
        } catch (SnapshotFailure e) {
            throw e.at(collection, name);
        }

        String remark = null;
        if (blankToNull(description.checksum()) == null) {
            remark = "Qdrant gave no checksum (S3 storage or an older Qdrant): only the size was verified; "
                    + "the SHA-256 was computed from the downloaded bytes";
            LOG.warnf("Qdrant gave no checksum for snapshot %s of collection `%s`; the size was verified and the "
                    + "SHA-256 computed from the downloaded bytes", name, collection);
        }
        boolean remoteDeleted = false;
        if (config.snapshot().deleteRemote()) {
            try {
                qdrant.deleteSnapshot(collection, name, CALL_TIMEOUT);
                remoteDeleted = true;
            } catch (QdrantException e) {
                remark = join(remark, "Qdrant's copy " + name + " was kept on the server: " + e.getMessage());
                LOG.warnf("The local snapshot is complete, but Qdrant's copy %s could not be deleted: %s", name,
                        e.getMessage());
            }
        } else {
            remark = join(remark, "Qdrant's copy " + name + " was kept on the server (QDRANT_SNAPSHOT_DELETE_REMOTE=false)");
        }
        return new Outcome(collection, name, written.file().toString(), written.bytes(), written.sha256(),
                remoteDeleted, remark);
    }

    private static SnapshotFailure failure(QdrantException e) {
        Kind kind = switch (e.kind()) {
            case TIMEOUT -> Kind.UPSTREAM_TIMEOUT;
            case UNREACHABLE -> Kind.UNREACHABLE;
            case REJECTED, PROTOCOL -> Kind.UPSTREAM;
        };
        return new SnapshotFailure(kind, e.getMessage(), e);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static String join(String first, String second) {
        return first == null ? second : first + "; " + second;
    }

    private static void sleep(long millis) throws SnapshotFailure {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SnapshotFailure(Kind.UNREACHABLE, "Interrupted while waiting for Qdrant", e);
        }
    }
}
