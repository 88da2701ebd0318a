package dev.snapshotter.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.snapshotter.support.TestData;

/** The durable write on its own: plain JUnit, real files. */
class SnapshotFileWriterTest {

    /** A content check that takes any bytes (the Qdrant archive check has tests of its own). */
    private static final ContentCheck ANY_CONTENT = content -> content.transferTo(OutputStream.nullOutputStream());

    @TempDir
    Path directory;

    @Test
    void namesFilesByUtcMillisecondsAndSafeCollection() {
        Instant at = Instant.parse("2026-11-24T00:15:00.123Z");
        assertThat(SnapshotFileName.of(at, "kairos")).isEqualTo("2026-11-24T00-15-00-123Z-kairos.snap");
        assertThat(SnapshotFileName.of(at, "my coll/ü:1.v2"))
                .isEqualTo("2026-11-24T00-15-00-123Z-my_coll___1.v2.snap");
    }

    @Test
    void writesFileAndSha256sumSidecarThatSha256sumAccepts() throws Exception {
        byte[] body = TestData.randomBytes(300_000);
        String sha256 = TestData.sha256(body);

        SnapshotFileWriter.Written written = writer().write(new ByteArrayInputStream(body),
                "a.snap", new SnapshotFileWriter.Expected((long) body.length, body.length, sha256.toUpperCase(), ANY_CONTENT));

        assertThat(written.file()).isEqualTo(directory.resolve("a.snap")).hasBinaryContent(body);
        assertThat(written.sha256()).isEqualTo(sha256);
        assertThat(directory.resolve("a.snap.sha256")).hasContent(sha256 + "  a.snap");
        assertThat(Files.list(directory)).hasSize(2);
        if (Files.isExecutable(Path.of("/usr/bin/sha256sum"))) {
            Process check = new ProcessBuilder("sha256sum", "-c", "a.snap.sha256").directory(directory.toFile())
                    .redirectErrorStream(true).start();
            assertThat(check.waitFor()).as(new String(check.getInputStream().readAllBytes())).isZero();
        }
    }

    /**
     * A stop (a kill, a power cut) can fall between any two steps of a write: the snapshot must never stand under its
     * final name without the checksum file that vouches for it, or a boot finds a backup nothing can verify. The
     * directory's own record of creations (inotify) shows the order the files took their names in.
     */
    @Test
    void theChecksumFileTakesItsNameBeforeTheSnapshotDoes() throws Exception {
        byte[] body = TestData.randomBytes(100_000);
        List<String> named = new ArrayList<>();
        try (WatchService watch = directory.getFileSystem().newWatchService()) {
            directory.register(watch, StandardWatchEventKinds.ENTRY_CREATE);

            writer().write(new ByteArrayInputStream(body), "a.snap",
                    new SnapshotFileWriter.Expected((long) body.length, body.length, TestData.sha256(body), ANY_CONTENT));

            WatchKey key;
            while ((key = watch.poll(300, TimeUnit.MILLISECONDS)) != null) {
                key.pollEvents().forEach(event -> named.add(event.context().toString()));
                key.reset();
            }
        }
        assertThat(named).contains("a.snap.sha256", "a.snap");
        assertThat(named.indexOf("a.snap.sha256")).as("in order of creation: %s", named)
                .isLessThan(named.indexOf("a.snap"));
    }

    @Test
    void neverOverwritesAnExistingFile() throws Exception {
        Files.writeString(directory.resolve("a.snap"), "earlier");
        Files.writeString(directory.resolve("a.snap.sha256"), "vouches for the earlier one");
        byte[] body = TestData.randomBytes(1000);

        assertThatThrownBy(() -> writer().write(new ByteArrayInputStream(body), "a.snap",
                new SnapshotFileWriter.Expected((long) body.length, -1, TestData.sha256(body), ANY_CONTENT)))
                .isInstanceOf(SnapshotFailure.class)
                .satisfies(e -> assertThat(((SnapshotFailure) e).kind()).isEqualTo(SnapshotFailure.Kind.LOCAL_IO))
                .hasMessageContaining("File exists");
        assertThat(directory.resolve("a.snap")).hasContent("earlier");
        assertThat(directory.resolve("a.snap.sha256")).hasContent("vouches for the earlier one");
        assertThat(Files.list(directory)).containsExactlyInAnyOrder(directory.resolve("a.snap"),
                directory.resolve("a.snap.sha256"));
    }

    @Test
    void stopsReadingABodyLongerThanAnnounced() throws Exception {
        byte[] body = TestData.randomBytes(5000);

        assertThatThrownBy(() -> writer().write(new ByteArrayInputStream(body), "a.snap",
                new SnapshotFileWriter.Expected(4000L, -1, null, ANY_CONTENT)))
                .isInstanceOf(SnapshotFailure.class)
                .hasMessageContaining("longer than the 4000 bytes");
        assertThat(Files.list(directory)).isEmpty();
    }

    @Test
    void removesThePartialFileWhenTheDiskFillsUpUnderTheWriter() throws Exception {
        Path earlier = Files.write(directory.resolve("2026-01-01T00-00-00-000Z-kairos.snap"), new byte[] { 1, 2, 3 });
        byte[] body = TestData.randomBytes(5 * 1024 * 1024);
        // the disk takes 3 MiB, then every write fails as a full disk does (ENOSPC), below the writer
        SnapshotFileWriter writer = writer(
                part -> new FillingDisk(FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                        3 * 1024 * 1024));

        assertThatThrownBy(() -> writer.write(new ByteArrayInputStream(body), "a.snap",
                new SnapshotFileWriter.Expected((long) body.length, body.length, TestData.sha256(body), ANY_CONTENT)))
                .isInstanceOf(SnapshotFailure.class)
                .hasMessageContaining("No space left on device")
                .satisfies(e -> assertThat(((SnapshotFailure) e).kind())
                        .isEqualTo(SnapshotFailure.Kind.INSUFFICIENT_STORAGE));
        assertThat(Files.list(directory)).containsExactly(earlier);
        assertThat(Files.readAllBytes(earlier)).containsExactly(1, 2, 3);
    }

    @Test
    void failsTheRunWhenABackgroundWritebackFails() throws Exception {
        Path earlier = Files.write(directory.resolve("2026-01-01T00-00-00-000Z-kairos.snap"), new byte[] { 1, 2, 3 });
        // long enough for background writebacks, which come every SnapshotFileWriter.FLUSH_EVERY_BYTES
        byte[] body = TestData.randomBytes((int) (SnapshotFileWriter.FLUSH_EVERY_BYTES + 8 * 1024 * 1024));
        // the early writebacks (force without metadata) hit an I/O error; the final fsync then succeeds, as Linux's
        // does once the error has been reported: only checking every writeback catches the lost pages
        SnapshotFileWriter writer = writer(part -> new FillingDisk(SnapshotFileWriter.create(part), Long.MAX_VALUE) {
            @Override
            public void force(boolean metaData) throws IOException {
                if (!metaData) {
                    throw new IOException("Input/output error");
                }
                super.force(true);
            }
        });

        assertThatThrownBy(() -> writer.write(new ByteArrayInputStream(body), "a.snap",
                new SnapshotFileWriter.Expected((long) body.length, body.length, TestData.sha256(body), ANY_CONTENT)))
                .isInstanceOf(SnapshotFailure.class)
                .hasMessageContaining("Input/output error")
                .satisfies(e -> assertThat(((SnapshotFailure) e).kind()).isEqualTo(SnapshotFailure.Kind.LOCAL_IO));
        assertThat(Files.list(directory)).containsExactly(earlier);
    }

    @Test
    void makesSnapshotFilesReadableByOwnerAndGroupOnly() throws Exception {
        byte[] body = TestData.randomBytes(1000);

        SnapshotFileWriter.Written written = writer().write(new ByteArrayInputStream(body),
                "a.snap", new SnapshotFileWriter.Expected((long) body.length, -1, null, ANY_CONTENT));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(written.file()))).isEqualTo("rw-r-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory.resolve("a.snap.sha256"))))
                .isEqualTo("rw-r-----");
    }

    @Test
    void keepsFileNamesOfLongCollectionsShortAndDistinct() throws Exception {
        Instant at = Instant.parse("2026-11-24T00:15:00.123Z");
        String longName = "m".repeat(250);
        String other = "m".repeat(249) + "n";

        String name = SnapshotFileName.of(at, longName);
        assertThat(name).isNotEqualTo(SnapshotFileName.of(at, other))
                .startsWith("2026-11-24T00-15-00-123Z-" + "m".repeat(100) + "~").endsWith(".snap");
        // the longest file this writer makes: the hidden temporary of the manifest or of the checksum file
        assertThat(("." + name + ".sha256.part").getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .isLessThan(200);
        byte[] body = TestData.randomBytes(100);
        writer().write(new ByteArrayInputStream(body), name,
                new SnapshotFileWriter.Expected((long) body.length, -1, null, ANY_CONTENT));
        assertThat(directory.resolve(name)).hasBinaryContent(body);
        assertThat(SnapshotFileName.of(at, "m".repeat(120))).contains("m".repeat(120) + ".snap");
    }

    /** A file channel on a disk with {@code room} bytes left: writes past it fail with the kernel's ENOSPC words. */
    private static class FillingDisk extends FileChannel {

        private final FileChannel file;
        private long room;

        FillingDisk(FileChannel file, long room) {
            this.file = file;
            this.room = room;
        }

        @Override
        public int write(ByteBuffer source) throws IOException {
            if (room <= 0) {
                throw new IOException("No space left on device");
            }
            int allowed = (int) Math.min(source.remaining(), room);
            ByteBuffer slice = source.slice().limit(allowed);
            int written = file.write(slice);
            source.position(source.position() + written);
            room -= written;
            return written;
        }

        @Override
        public long write(ByteBuffer[] sources, int offset, int length) throws IOException {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                total += write(sources[i]);
            }
            return total;
        }

        @Override
        public int write(ByteBuffer source, long position) throws IOException {
            throw new IOException("No space left on device");
        }

        @Override
        public int read(ByteBuffer target) throws IOException {
            return file.read(target);
        }

        @Override
        public long read(ByteBuffer[] targets, int offset, int length) throws IOException {
            return file.read(targets, offset, length);
        }

        @Override
        public int read(ByteBuffer target, long position) throws IOException {
            return file.read(target, position);
        }

        @Override
        public long position() throws IOException {
            return file.position();
        }

        @Override
        public FileChannel position(long position) throws IOException {
            file.position(position);
            return this;
        }

        @Override
        public long size() throws IOException {
            return file.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            file.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            file.force(metaData);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return file.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel source, long position, long count) throws IOException {
            throw new IOException("No space left on device");
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return file.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return file.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return file.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            file.close();
        }
    }

    @Test
    void reportsABrokenBodyAsUpstreamAndLeavesNothing() throws Exception {
        InputStream breaking = new InputStream() {
            private int sent;

            @Override
            public int read() throws IOException {
                if (sent++ < 2000) {
                    return 7;
                }
                throw new IOException("Connection reset");
            }
        };

        assertThatThrownBy(() -> writer().write(breaking, "a.snap",
                new SnapshotFileWriter.Expected(10_000L, 10_000, null, ANY_CONTENT)))
                .isInstanceOf(SnapshotFailure.class)
                .satisfies(e -> assertThat(((SnapshotFailure) e).kind()).isEqualTo(SnapshotFailure.Kind.UNREACHABLE))
                .hasMessageContaining("broke after");
        assertThat(Files.list(directory)).isEmpty();
    }

    @Test
    void refusesToStartWhenFreeSpaceIsBelowTheSnapshotSize() {
        assertThatThrownBy(() -> writer().requireSpace(Long.MAX_VALUE))
                .isInstanceOf(SnapshotFailure.class)
                .satisfies(e -> assertThat(((SnapshotFailure) e).kind())
                        .isEqualTo(SnapshotFailure.Kind.INSUFFICIENT_STORAGE))
                .hasMessageContaining("bytes free");
    }

    @Test
    void theContentCheckSeesEveryByteOnceAndItsRefusalPublishesNothing() throws Exception {
        byte[] body = TestData.randomBytes(5 * 1024 * 1024 + 17);
        java.security.MessageDigest seen = SnapshotFileWriter.sha256();
        ContentCheck refuses = content -> {
            byte[] buffer = new byte[8192];
            for (int read; (read = content.read(buffer)) > 0;) {
                seen.update(buffer, 0, read);
            }
            throw new ContentCheck.Rejected("The snapshot is not a sound Qdrant snapshot archive: test");
        };

        assertThatThrownBy(() -> writer().write(new ByteArrayInputStream(body), "a.snap",
                new SnapshotFileWriter.Expected((long) body.length, body.length, TestData.sha256(body), refuses)))
                .isInstanceOf(SnapshotFailure.class)
                .satisfies(e -> assertThat(((SnapshotFailure) e).kind()).isEqualTo(SnapshotFailure.Kind.VERIFICATION))
                .hasMessage("The snapshot is not a sound Qdrant snapshot archive: test");
        assertThat(java.util.HexFormat.of().formatHex(seen.digest())).isEqualTo(TestData.sha256(body));
        assertThat(Files.list(directory)).isEmpty();
    }

    @Test
    void aCheckThatStopsReadingEarlyDoesNotHoldTheWriteUp() throws Exception {
        byte[] body = TestData.randomBytes(5 * 1024 * 1024);
        ContentCheck firstBlockOnly = content -> content.readNBytes(512);

        SnapshotFileWriter.Written written = writer().write(new ByteArrayInputStream(body), "a.snap",
                new SnapshotFileWriter.Expected((long) body.length, body.length, TestData.sha256(body), firstBlockOnly));

        assertThat(written.file()).hasBinaryContent(body);
    }

    /** A writer as the service makes one, on the test's directory. */
    private SnapshotFileWriter writer() {
        return writer(SnapshotFileWriter::create);
    }

    private SnapshotFileWriter writer(SnapshotFileWriter.PartOpener parts) {
        return new SnapshotFileWriter(directory, SnapshotFileWriter.Scratch.create(), parts);
    }

}
