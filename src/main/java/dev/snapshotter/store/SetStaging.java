package dev.snapshotter.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import dev.snapshotter.store.SnapshotFailure.Kind;

/**
 * A backup set on its way: a hidden {@code .<set name>.part} directory beside the snapshots that the members are
 * written into, each with the guarantees of a single snapshot file, and that becomes the set under its final name in
 * one rename once the set manifest is written inside it. Until then nothing lists it; a failed or interrupted run
 * leaves only the hidden directory, which {@link #close()} (or the next boot) removes.
 */
public final class SetStaging implements AutoCloseable {

    /** The set manifest, written last, inside the set's directory. */
    public static final String MANIFEST = "set.json";

    private final Path parent;
    private final Path staging;
    private final Path target;
    private final List<SnapshotFileWriter.Scratch> scratches = new ArrayList<>();
    private boolean published;

    private SetStaging(Path parent, String name) {
        this.parent = parent;
        this.staging = parent.resolve("." + name + SnapshotFileWriter.PART_SUFFIX);
        this.target = parent.resolve(name);
    }

    static SetStaging open(Path parent, String name) throws SnapshotFailure {
        SetStaging set = new SetStaging(parent, name);
        try {
            if (Files.exists(set.target)) {
                throw new FileAlreadyExistsException(set.target.toString());
            }
            deleteTree(set.staging);
            if (parent.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createDirectory(set.staging, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwxr-x---")));
            } else {
                Files.createDirectory(set.staging);
            }
        } catch (IOException e) {
            throw new SnapshotFailure(Kind.LOCAL_IO, "Cannot start backup set " + name + " in " + parent + ": "
                    + SnapshotFileWriter.reason(e) + "; nothing was asked of Qdrant", e);
        }
        return set;
    }

    /** The directory members are written into until the set is published. */
    public Path path() {
        return staging;
    }

    /** The set's directory once published. */
    public Path target() {
        return target;
    }

    /** A writer into the set with buffers and threads of its own, so that members are written in parallel. */
    public synchronized SnapshotFileWriter writer() {
        SnapshotFileWriter.Scratch scratch = SnapshotFileWriter.Scratch.create();
        scratches.add(scratch);
        return new SnapshotFileWriter(staging, scratch, SnapshotFileWriter::create);
    }

    /**
     * Writes the set manifest, then renames the directory to the set's name and makes both durable: the set appears
     * whole, or not at all.
     */
    public Path publish(byte[] manifest) throws SnapshotFailure {
        try {
            writer().writeAtomically(staging.resolve(MANIFEST), manifest);
            if (Files.exists(target)) {
                throw new FileAlreadyExistsException(target.toString());
            }
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + parent + " cannot rename a directory atomically", e);
            }
            published = true;
            try (FileChannel dir = FileChannel.open(parent, StandardOpenOption.READ)) {
                dir.force(true);
            }
            return target;
        } catch (IOException e) {
            throw new SnapshotFailure(Kind.LOCAL_IO, "Publishing backup set " + target.getFileName() + " failed: "
                    + SnapshotFileWriter.reason(e), e);
        }
    }

    /** Ends the writers' threads; a set not published is removed with everything in it. */
    @Override
    public synchronized void close() {
        scratches.forEach(SnapshotFileWriter.Scratch::close);
        scratches.clear();
        if (!published) {
            try {
                deleteTree(staging);
            } catch (IOException e) {
                // the boot after this one removes it (SnapshotDirectory)
            }
        }
    }

    /** Removes a directory this service made, with what is in it; nothing happens when it does not exist. */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
