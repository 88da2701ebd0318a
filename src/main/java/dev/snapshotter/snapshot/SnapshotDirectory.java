package dev.snapshotter.snapshot;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.snapshotter.config.QdrantConfig;

/**
 * {@code QDRANT_SNAPSHOT_DIR}, resolved to an absolute path and proven to be a writable directory at boot, before
 * anything talks to Qdrant: a backup tool that cannot write must not start.
 */
@ApplicationScoped
public class SnapshotDirectory {

    private static final Logger LOG = Logger.getLogger(SnapshotDirectory.class);

    private final String configured;
    private volatile Path path;
    private volatile byte[][] buffers;

    SnapshotDirectory(QdrantConfig config) {
        this.configured = config.snapshot().dir();
    }

    /**
     * Resolves, creates and probes the directory, and removes temporary files a crashed run left behind.
     *
     * @throws IllegalStateException with one sentence naming {@code QDRANT_SNAPSHOT_DIR}, the path and the reason
     */
    public Path prepare() {
        Path absolute;
        try {
            absolute = Paths.get(configured).toAbsolutePath().normalize();
        } catch (RuntimeException e) {
            throw new IllegalStateException("QDRANT_SNAPSHOT_DIR \"" + configured + "\" is not a valid path: "
                    + e.getMessage() + ".");
        }
        try {
            Files.createDirectories(absolute);
            if (!Files.isDirectory(absolute)) {
                throw new java.nio.file.NotDirectoryException(absolute.toString());
            }
            Path probe = Files.createTempFile(absolute, ".write-probe-", ".tmp");
            Files.delete(probe);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            String reason = e instanceof IOException io ? SnapshotFileWriter.reason(io) : String.valueOf(e.getMessage());
            throw new IllegalStateException("QDRANT_SNAPSHOT_DIR " + absolute
                    + " is not a writable directory (" + reason + ").");
        }
        removeLeftovers(absolute);
        this.path = absolute;
        return absolute;
    }

    /** The prepared directory. */
    public Path path() {
        Path prepared = path;
        if (prepared == null) {
            throw new IllegalStateException("The snapshot directory was not prepared at boot");
        }
        return prepared;
    }

    /** A writer into the directory, for the one run going (runs are one at a time: see {@link SnapshotService}). */
    SnapshotFileWriter writer() {
        byte[][] reused = buffers;
        if (reused == null) {
            reused = buffers = SnapshotFileWriter.newBuffers();
        }
        return new SnapshotFileWriter(path(), reused);
    }

    private static void removeLeftovers(Path directory) {
        try (DirectoryStream<Path> parts = Files.newDirectoryStream(directory, ".*" + SnapshotFileWriter.PART_SUFFIX)) {
            for (Path part : parts) {
                Files.deleteIfExists(part);
                LOG.warnf("Removed %s, a temporary file an interrupted run left behind", part);
            }
        } catch (IOException e) {
            LOG.warnf("Could not clean temporary files in %s: %s", directory, SnapshotFileWriter.reason(e));
        }
    }
}
