package dev.snapshotter.store;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.snapshotter.config.QdrantConfig;

import io.quarkus.runtime.ShutdownEvent;

/**
 * {@code QDRANT_SNAPSHOT_DIR}, resolved to an absolute path and proven to be a writable directory at boot, before
 * anything talks to Qdrant: a backup tool that cannot write must not start.
 */
@ApplicationScoped
public class SnapshotDirectory {

    private static final Logger LOG = Logger.getLogger(SnapshotDirectory.class);
    static final String LOCK_FILE = ".snapshotter.lock";
    /** The ledger of the copies the service asked Qdrant for, kept beside the snapshots (see QdrantCopies). */
    public static final String LEDGER_FILE = ".qdrant-copies.json";
    /** The journal of the last runs (see RunJournal). */
    public static final String RUN_JOURNAL = ".runs.journal";
    /** When the last restore drills ran, whatever snapshot they drilled (see SnapshotCatalog#drillHistory). */
    static final String DRILL_HISTORY = ".drills.json";
    /** The last integrity check of the whole directory (see SnapshotCatalog#lastIntegrityCheck). */
    static final String INTEGRITY_RECORD = ".integrity.json";
    /** A boot restore that has not ended (see SnapshotCatalog#bootRestoreUnderWay). */
    public static final String BOOT_RESTORE = ".boot-restore.json";
    /** The restores Qdrant went on with that the service follows (see SnapshotCatalog#unansweredRestores). */
    static final String UNANSWERED_RESTORES = ".unanswered-restores.json";
    /**
     * The temporary files this service writes: a snapshot's and those beside it, the ledger's, the run journal's,
     * the drill history's, the integrity record's, the boot restore's mark, the followed restores', a write probe's.
     */
    private static final Pattern OUR_LEFTOVER = Pattern.compile("\\.(?:" + SnapshotFileName.PATTERN.pattern()
            + "(?:\\" + SnapshotFileWriter.CHECKSUM_SUFFIX + "|\\" + SnapshotFileWriter.MANIFEST_SUFFIX + "|\\"
            + SnapshotCatalog.FAILED_VERIFICATION_SUFFIX + "|\\" + SnapshotCatalog.DRILL_SUFFIX + ")?|write-probe-\\d+|"
            + "\\.?" + Pattern.quote(LEDGER_FILE.substring(1)) + "|\\.?" + Pattern.quote(RUN_JOURNAL.substring(1)) + "|\\.?"
            + Pattern.quote(DRILL_HISTORY.substring(1)) + "|\\.?" + Pattern.quote(INTEGRITY_RECORD.substring(1)) + "|\\.?"
            + Pattern.quote(BOOT_RESTORE.substring(1)) + "|\\.?" + Pattern.quote(UNANSWERED_RESTORES.substring(1)) + ")"
            + Pattern.quote(SnapshotFileWriter.PART_SUFFIX));

    private final String configured;
    private volatile Path path;
    private volatile FileLock lock;
    private volatile SnapshotFileWriter.Scratch scratch;

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
                throw new NotDirectoryException(absolute.toString());
            }
            Path probe = Files.createTempFile(absolute, ".write-probe-", ".tmp");
            Files.delete(probe);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            String reason = e instanceof IOException io ? SnapshotFileWriter.reason(io) : String.valueOf(e.getMessage());
            throw new IllegalStateException("QDRANT_SNAPSHOT_DIR " + absolute
                    + " is not a writable directory (" + reason + ").");
        }
        lock(absolute);
        removeLeftovers(absolute);
        removeStrays(absolute);
        this.path = absolute;
        return absolute;
    }

    /**
     * Takes the directory for this process's life: an exclusive lock on {@value #LOCK_FILE}, which holds the pid
     * and host of its holder. A second instance on the same directory would delete the first one's temporary files
     * and break single flight, so it fails boot naming the holder.
     */
    private void lock(Path directory) {
        Path file = directory.resolve(LOCK_FILE);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock taken;
            try {
                taken = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                taken = null; // this very process holds it already
            }
            if (taken == null) {
                String holder = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).strip();
                channel.close();
                throw new IllegalStateException("QDRANT_SNAPSHOT_DIR " + directory + " is in use by another "
                        + "qdrant-snapshotter" + (holder.isEmpty() ? "" : " (" + holder + ")") + "; two instances "
                        + "must not share a snapshot directory: give each its own, or stop the other one.");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " on host " + hostName() + "\n")
                    .getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(true);
            lock = taken;
        } catch (IOException e) {
            closeQuietly(channel);
            throw new IllegalStateException("QDRANT_SNAPSHOT_DIR " + directory + " cannot be locked for this "
                    + "instance (" + SnapshotFileWriter.reason(e) + ").");
        }
    }

    /** Lets the directory go at shutdown, for the next instance. */
    void onShutdown(@Observes ShutdownEvent event) {
        FileLock held = lock;
        if (held != null) {
            closeQuietly(held.channel());
        }
    }

    private static String hostName() {
        String host = System.getenv("HOSTNAME");
        if (host != null && !host.isBlank()) {
            return host;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "an unknown host";
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // the lock goes with the process anyway
            }
        }
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
    public SnapshotFileWriter writer() {
        return writerIn(path());
    }

    /** What is written with a writer of its own ({@link #apart}). */
    @FunctionalInterface
    public interface Write<T> {
        T with(SnapshotFileWriter writer) throws SnapshotFailure;
    }

    /**
     * Runs {@code write} with a writer into {@code into} (this directory, or a published set's in it) whose buffers and
     * threads are its own, ended after it: for a write that may run beside a snapshot run (a copy fetched from off-site
     * by an integrity check's heal), which streams through the directory's ({@link #writer()}).
     */
    public <T> T apart(Path into, Write<T> write) throws SnapshotFailure {
        if (!into.equals(path()) && !into.getParent().equals(path())) {
            throw new IllegalArgumentException(into + " is neither " + path() + " nor a set in it");
        }
        SnapshotFileWriter.Scratch own = SnapshotFileWriter.Scratch.create();
        try {
            return write.with(new SnapshotFileWriter(into, own, SnapshotFileWriter::create));
        } finally {
            own.close();
        }
    }

    /** A writer into {@code directory}, this one or a set's in it, sharing the directory's buffers and threads. */
    SnapshotFileWriter writerIn(Path directory) {
        SnapshotFileWriter.Scratch reused = scratch;
        if (reused == null) {
            reused = scratch = SnapshotFileWriter.Scratch.create();
        }
        return new SnapshotFileWriter(directory, reused, SnapshotFileWriter::create);
    }

    /** Starts backup set {@code name} (see {@link SetStaging}) in the directory. */
    public SetStaging stageSet(String name) throws SnapshotFailure {
        return SetStaging.open(path(), name);
    }

    /**
     * Removes the temporary files an interrupted run of ours left: a snapshot's, its checksum file's, its manifest's
     * or mark's, the ledger's, or a write probe's, and a set member's. Any other hidden {@code .part} file is someone
     * else's and stays.
     */
    private static void removeLeftovers(Path directory) {
        try (DirectoryStream<Path> parts = Files.newDirectoryStream(directory, ".*" + SnapshotFileWriter.PART_SUFFIX)) {
            for (Path part : parts) {
                String name = part.getFileName().toString();
                if (Files.isDirectory(part, LinkOption.NOFOLLOW_LINKS) && name.endsWith(SnapshotFileName.SET_SUFFIX
                        + SnapshotFileWriter.PART_SUFFIX) && SnapshotFileName
                                .parseSet(name.substring(1,
                                        name.length() - SnapshotFileWriter.PART_SUFFIX.length()))
                                .isPresent()) {
                    SetStaging.deleteTree(part);
                    LOG.warnf("Removed %s, an unfinished backup set an interrupted run left behind", part);
                    continue;
                }
                if (!OUR_LEFTOVER.matcher(name).matches()) {
                    continue;
                }
                Files.deleteIfExists(part);
                LOG.warnf("Removed %s, a temporary file an interrupted run left behind", part);
            }
        } catch (IOException e) {
            LOG.warnf("Could not clean temporary files in %s: %s", directory, SnapshotFileWriter.reason(e));
        }
        // a published set holds its members and their checksum files only: a hidden part in one is a member's copy
        // that was taking the place of a rotted one when the process stopped
        try (DirectoryStream<Path> sets = Files.newDirectoryStream(directory, "*" + SnapshotFileName.SET_SUFFIX)) {
            for (Path set : sets) {
                if (!Files.isDirectory(set, LinkOption.NOFOLLOW_LINKS)
                        || SnapshotFileName.parseSet(set.getFileName().toString()).isEmpty()) {
                    continue;
                }
                try (DirectoryStream<Path> parts = Files.newDirectoryStream(set, ".*" + SnapshotFileWriter.PART_SUFFIX)) {
                    for (Path part : parts) {
                        Files.deleteIfExists(part);
                        LOG.warnf("Removed %s, a temporary file an interrupted run left behind", part);
                    }
                }
            }
        } catch (IOException e) {
            LOG.warnf("Could not clean temporary files in the backup sets of %s: %s", directory,
                    SnapshotFileWriter.reason(e));
        }
    }

    /** What is written beside a backup, each named after it: a checksum file, a manifest, a mark, a drill record. */
    private static final List<String> BESIDE = List.of(SnapshotFileWriter.CHECKSUM_SUFFIX,
            SnapshotFileWriter.MANIFEST_SUFFIX, SnapshotCatalog.FAILED_VERIFICATION_SUFFIX, SnapshotCatalog.DRILL_SUFFIX);

    /**
     * Removes the files beside a backup that is no longer there: a run stopped between writing a snapshot's checksum
     * file and linking the snapshot, or a removal between deleting a backup and the files beside it.
     */
    private static void removeStrays(Path directory) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory,
                file -> Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                Optional<String> backup = BESIDE.stream().filter(name::endsWith)
                        .map(suffix -> name.substring(0, name.length() - suffix.length()))
                        .filter(named -> SnapshotFileName.parseBackup(named).isPresent()).findFirst();
                if (backup.isPresent() && !Files.exists(directory.resolve(backup.get()), LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(file);
                    LOG.warnf("Removed %s: the backup it was beside, %s, is no longer there (a run or a removal "
                            + "stopped midway)", file, backup.get());
                }
            }
        } catch (IOException e) {
            LOG.warnf("Could not clean the files beside removed backups in %s: %s", directory,
                    SnapshotFileWriter.reason(e));
        }
    }
}
