package dev.snapshotter.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.jboss.logging.Logger;

import dev.snapshotter.store.SnapshotFailure.Kind;

/**
 * Durable, verified snapshot files: the body streams into a hidden temporary file in the target directory while
 * its SHA-256 is computed; the file is fsynced, its size and checksum verified, its {@code sha256sum} sidecar
 * written, and only then linked under its final name (never over an existing file), and the directory fsynced. Any
 * failure removes what this run wrote, so a final name never holds an incomplete file, nor one nothing vouches for.
 */
public final class SnapshotFileWriter {

    private static final Logger LOG = Logger.getLogger(SnapshotFileWriter.class);

    public static final String PART_SUFFIX = ".part";
    public static final String CHECKSUM_SUFFIX = ".sha256";
    public static final String MANIFEST_SUFFIX = ".json";
    /** Snapshot files are the collection's data: owner read-write, group read, nobody else ({@code 0640}). */
    static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-r-----");
    private static final int BUFFER_BYTES = 1 << 20;
    static final long FLUSH_EVERY_BYTES = 64L << 20;

    private final Path directory;
    private final Scratch scratch;
    private final PartOpener parts;

    /**
     * The one constructor: {@link SnapshotDirectory#writer()} makes every writer of the service.
     *
     * @param scratch the buffers and threads the writer may use until its write returns
     * @param parts how the temporary file of a snapshot is opened ({@link #create})
     */
    SnapshotFileWriter(Path directory, Scratch scratch, PartOpener parts) {
        this.directory = directory;
        this.scratch = scratch;
        this.parts = parts;
    }

    /** Creates the temporary file of a snapshot, which must not exist yet, for writing. */
    @FunctionalInterface
    interface PartOpener {
        FileChannel open(Path part) throws IOException;
    }

    /** A new file, {@link #FILE_MODE} from its first byte where the file system has POSIX modes. */
    static FileChannel create(Path path) throws IOException {
        Set<StandardOpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            FileAttribute<Set<PosixFilePermission>> mode = PosixFilePermissions.asFileAttribute(FILE_MODE);
            try (FileChannel created = FileChannel.open(path, options, mode)) {
                // the umask may have taken bits off the mode asked for, never added any: set exactly this one
            }
            Files.setPosixFilePermissions(path, FILE_MODE);
            return FileChannel.open(path, StandardOpenOption.WRITE);
        }
        return FileChannel.open(path, options);
    }

    /**
     * What a write uses and gives back: two buffers of {@link #BUFFER_BYTES}, a thread that hashes one while the other
     * is read into, one that runs the {@link ContentCheck} over the same buffers, and one that writes pages back to
     * disk. Runs are one at a time, so one scratch lives as long as the directory, rather than 2 MiB of new large
     * arrays and three new threads for every run.
     */
    record Scratch(byte[][] buffers, ExecutorService hasher, ExecutorService checker, ExecutorService flusher) {

        static Scratch create() {
            return create(BUFFER_BYTES);
        }

        /**
         * A scratch with buffers of {@code bufferBytes}: a one-off scratch (a re-read) takes buffers below half a G1
         * region (256 KiB), which the JVM allocates in the young generation instead of as humongous objects that grow
         * the heap.
         */
        static Scratch create(int bufferBytes) {
            return new Scratch(new byte[][] { new byte[bufferBytes], new byte[bufferBytes] },
                    daemonThread("snapshot-sha256"), daemonThread("snapshot-check"), daemonThread("snapshot-writeback"));
        }

        /** Ends the scratch's threads: for a scratch made for one re-read, not the directory's. */
        void close() {
            hasher.shutdown();
            checker.shutdown();
            flusher.shutdown();
        }

        private static ExecutorService daemonThread(String name) {
            return Executors.newSingleThreadExecutor(task -> {
                Thread thread = new Thread(task, name);
                thread.setDaemon(true);
                return thread;
            });
        }
    }

    /**
     * What the writer must check the bytes against.
     *
     * @param size bytes Qdrant says the snapshot has, or null when it did not say
     * @param contentLength the download's Content-Length, or -1
     * @param sha256 Qdrant's checksum, or null when it gave none
     * @param content what the bytes must hold, read as they stream to disk
     */
    public record Expected(Long size, long contentLength, String sha256, ContentCheck content) {
    }

    public record Written(Path file, long bytes, String sha256) {
    }

    /** Fails with {@link Kind#INSUFFICIENT_STORAGE} when the directory cannot hold {@code bytes} more. */
    public void requireSpace(long bytes) throws SnapshotFailure {
        requireSpace(bytes, "The snapshot");
    }

    /** The same, {@code what} naming what needs the space in the failure's message. */
    public void requireSpace(long bytes, String what) throws SnapshotFailure {
        long usable;
        try {
            usable = Files.getFileStore(directory).getUsableSpace();
        } catch (IOException e) {
            throw new SnapshotFailure(Kind.LOCAL_IO, "Cannot read the free space of " + directory + ": " + reason(e), e);
        }
        if (usable < bytes) {
            throw new SnapshotFailure(Kind.INSUFFICIENT_STORAGE, what + " needs " + bytes + " bytes but "
                    + directory + " has only " + usable + " bytes free; nothing was downloaded");
        }
    }

    /**
     * Proves the directory still takes files, before Qdrant is asked for anything: a volume unmounted, removed or
     * turned read-only after boot fails the run here, with nothing left on either side.
     */
    public void requireWritable() throws SnapshotFailure {
        if (!Files.isDirectory(directory)) {
            throw new SnapshotFailure(Kind.LOCAL_IO, "QDRANT_SNAPSHOT_DIR " + directory
                    + " is no longer a directory (removed or unmounted after boot); nothing was asked of Qdrant");
        }
        try {
            Files.delete(Files.createTempFile(directory, ".write-probe-", PART_SUFFIX));
        } catch (IOException e) {
            throw new SnapshotFailure(Kind.LOCAL_IO, "QDRANT_SNAPSHOT_DIR " + directory + " no longer takes files ("
                    + reason(e) + "); nothing was asked of Qdrant", e);
        }
    }

    public Written write(InputStream body, String finalName, Expected expected) throws SnapshotFailure {
        return write(body, finalName, expected, false);
    }

    /**
     * {@link #write(InputStream, String, Expected)}, and with {@code replacing}, the verified file takes the place of
     * one of that name (a copy that failed its re-read), in one atomic rename; the old one stays until then.
     */
    public Written write(InputStream body, String finalName, Expected expected, boolean replacing)
            throws SnapshotFailure {
        long announced = expected.size() != null ? expected.size() : expected.contentLength(); // -1: unknown
        Path part = directory.resolve("." + finalName + PART_SUFFIX);
        Path target = directory.resolve(finalName);
        Path sidecar = directory.resolve(finalName + CHECKSUM_SUFFIX);
        boolean vouched = false;
        boolean published = false;
        boolean done = false;
        try {
            Streamed streamed = stream(body, part, announced, expected.content());
            Written written = streamed.written();
            verify(written, expected);
            if (streamed.rejected() != null) {
                throw new SnapshotFailure(Kind.VERIFICATION, streamed.rejected().getMessage(), streamed.rejected());
            }
            if (replacing) {
                // the replaced copy's checksum file says the same already (or it had none): a stop between the two
                // leaves what was there before
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                writeSidecar(sidecar, finalName, written.sha256());
            } else {
                // the checksum file first, so a stop between any two steps never leaves the snapshot under its final
                // name without what vouches for it (a checksum file alone names no backup); never another's
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw new FileAlreadyExistsException(target.toString());
                }
                vouched = true;
                writeSidecar(sidecar, finalName, written.sha256());
                publish(part, target);
                published = true;
                syncDirectory();
            }
            done = true;
            return new Written(target, written.bytes(), written.sha256());
        } catch (IOException e) {
            String reason = reason(e);
            Kind kind = isOutOfSpace(reason) ? Kind.INSUFFICIENT_STORAGE : Kind.LOCAL_IO;
            throw new SnapshotFailure(kind, "Writing the snapshot into " + directory + " failed: " + reason, e);
        } finally {
            deleteQuietly(part);
            if (!done) {
                // verified but not recorded durably: take back what this write named, report the failure
                if (published) {
                    deleteQuietly(target);
                }
                if (vouched) {
                    deleteQuietly(sidecar);
                }
            }
        }
    }

    /** What streaming wrote, and the content check's refusal, or null when it found the content sound. */
    private record Streamed(Written written, ContentCheck.Rejected rejected) {
    }

    /**
     * Streams the body into {@code part}. Hashing and the content check run on threads of their own, one buffer behind
     * the reading and writing, so SHA-256, the check and the I/O overlap on two cores instead of adding up on one.
     */
    private Streamed stream(InputStream body, Path part, long announced, ContentCheck check)
            throws IOException, SnapshotFailure {
        long limit = announced >= 0 ? announced : Long.MAX_VALUE;
        long started = System.nanoTime();
        Future<?>[] flushed = new Future<?>[1];
        long[] flushedAt = new long[1];
        try (FileChannel channel = parts.open(part)) {
            ChunkPipeline.Result result = ChunkPipeline.run(scratch, (buffer, sofar) -> {
                try {
                    return body.readNBytes(buffer, 0, buffer.length);
                } catch (InterruptedIOException e) {
                    throw e instanceof SocketTimeoutException
                            ? new SnapshotFailure(Kind.UPSTREAM_TIMEOUT, "The download from Qdrant timed out after "
                                    + sofar + " bytes: " + reason(e), e)
                            : new SnapshotFailure(Kind.UNREACHABLE, "The download from Qdrant stopped after " + sofar
                                    + " bytes: " + reason(e), e);
                } catch (IOException | RuntimeException e) {
                    throw new SnapshotFailure(Kind.UNREACHABLE, "The download from Qdrant broke after " + sofar
                            + " bytes: " + reason(e), e);
                }
            }, (buffer, length, bytes) -> {
                if (bytes > limit) {
                    throw new SnapshotFailure(Kind.VERIFICATION, "The download is longer than the " + limit
                            + " bytes Qdrant announced; it is not the snapshot Qdrant described");
                }
                ByteBuffer view = ByteBuffer.wrap(buffer, 0, length);
                while (view.hasRemaining()) {
                    channel.write(view);
                }
                if ((flushed[0] == null || flushed[0].isDone()) && bytes - flushedAt[0] >= FLUSH_EVERY_BYTES) {
                    awaitWriteback(flushed[0]); // a writeback that failed fails the run: its pages may be lost
                    // start writing back what is on its way to the disk now, not all at the final fsync
                    flushedAt[0] = bytes;
                    flushed[0] = scratch.flusher().submit(() -> {
                        channel.force(false);
                        return null;
                    });
                }
            }, check);
            awaitWriteback(flushed[0]);
            long streamed = System.nanoTime();
            channel.force(true);
            LOG.debugf("Streamed %d bytes into %s in %d ms, then fsync took %d ms", result.bytes(), part,
                    (streamed - started) / 1_000_000, (System.nanoTime() - streamed) / 1_000_000);
            return new Streamed(new Written(part, result.bytes(), result.sha256()), result.rejected());
        }
    }

    /**
     * Waits for a background writeback and rethrows its failure. An I/O error reported by one {@code fsync} may not
     * be reported again by the next (Linux clears it), so the final fsync succeeding proves nothing about pages an
     * earlier writeback failed to write.
     */
    private static void awaitWriteback(Future<?> writeback) throws IOException {
        if (writeback == null) {
            return;
        }
        try {
            writeback.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing back");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException("writeback failed: " + cause, cause);
        }
    }

    private static void verify(Written written, Expected expected) throws SnapshotFailure {
        if (expected.contentLength() >= 0 && written.bytes() != expected.contentLength()) {
            throw new SnapshotFailure(Kind.VERIFICATION, "The download ended after " + written.bytes()
                    + " bytes but Qdrant's Content-Length announced " + expected.contentLength());
        }
        if (expected.size() != null && written.bytes() != expected.size()) {
            throw new SnapshotFailure(Kind.VERIFICATION, "The download has " + written.bytes()
                    + " bytes but Qdrant described the snapshot as " + expected.size() + " bytes");
        }
        if (expected.sha256() != null && !expected.sha256().strip().equalsIgnoreCase(written.sha256())) {
            throw new SnapshotFailure(Kind.VERIFICATION, "Checksum mismatch: Qdrant described SHA-256 "
                    + expected.sha256().strip() + " but the downloaded bytes hash to " + written.sha256());
        }
    }

    /** Links the verified file under its final name: {@code link(2)} refuses to replace an existing file. */
    private static void publish(Path part, Path target) throws IOException {
        try {
            Files.createLink(target, part);
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (UnsupportedOperationException | FileSystemException e) {
            // no hard links here (some network file systems): an atomic rename after checking the name is free
            if (Files.exists(target)) {
                throw new FileAlreadyExistsException(target.toString());
            }
            try {
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException unsupported) {
                throw new IOException("the file system of " + target.getParent()
                        + " supports neither hard links nor atomic renames", unsupported);
            }
        }
    }

    /** Writes the {@code sha256sum}-format checksum file of {@code finalName}, all at once or not at all. */
    void writeSidecar(Path sidecar, String finalName, String sha256) throws IOException {
        writeAtomically(sidecar, (sha256 + "  " + finalName + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes a small file beside the snapshots all at once or not at all: a hidden temporary file, fsync, rename over
     * {@code target}, directory fsync. The temporary file is gone whatever happens.
     */
    public void writeAtomically(Path target, byte[] content) throws IOException {
        Path part = directory.resolve("." + target.getFileName() + PART_SUFFIX);
        try {
            try (FileChannel channel = create(part)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory();
        } finally {
            deleteQuietly(part);
        }
    }

    private void syncDirectory() throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // the directory itself is failing; the run already reports why
        }
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("This runtime has no SHA-256", e);
        }
    }

    private static boolean isOutOfSpace(String reason) {
        return reason.contains("No space left on device") || reason.contains("Disk quota exceeded");
    }

    /** The operating system's words for a file failure, such as {@code /data: No space left on device}. */
    public static String reason(Exception e) {
        if (e instanceof FileSystemException fs) {
            String why = fs.getReason() != null ? fs.getReason()
                    : e instanceof AccessDeniedException ? "Permission denied"
                            : e instanceof NoSuchFileException ? "No such file or directory"
                                    : e instanceof FileAlreadyExistsException ? "File exists"
                                            : e instanceof NotDirectoryException ? "Not a directory"
                                                    : e.getClass().getSimpleName();
            return (fs.getFile() != null ? fs.getFile() + ": " : "") + why;
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
