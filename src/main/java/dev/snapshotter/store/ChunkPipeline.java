package dev.snapshotter.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * The one loop that moves a snapshot's bytes: a source fills one of the scratch's two buffers while the other is
 * hashed (SHA-256) and read by the {@link ContentCheck} on threads of their own, and handed to a sink on the calling
 * thread. Reading, hashing, checking and the sink's I/O overlap on two cores instead of adding up on one. The writer
 * (download to disk) and the catalog (a re-read, and a restore's upload) both run it.
 */
final class ChunkPipeline {

    private ChunkPipeline() {
    }

    /** Fills {@code buffer}; fewer bytes than its length only at the end (0: nothing more). */
    @FunctionalInterface
    interface Source {
        int read(byte[] buffer, long sofar) throws IOException, SnapshotFailure;
    }

    /** Takes the next {@code length} bytes of {@code buffer}; {@code total} counts them in. */
    @FunctionalInterface
    interface Sink {
        void accept(byte[] buffer, int length, long total) throws IOException, SnapshotFailure;
    }

    /**
     * @param rejected the content check's refusal, or null when it found the content sound
     */
    record Result(long bytes, String sha256, ContentCheck.Rejected rejected) {
    }

    static Result run(SnapshotFileWriter.Scratch scratch, Source source, Sink sink, ContentCheck check)
            throws IOException, SnapshotFailure {
        MessageDigest sha256 = SnapshotFileWriter.sha256();
        byte[][] buffers = scratch.buffers();
        Future<?>[] hashed = new Future<?>[buffers.length];
        Future<?>[] released = new Future<?>[buffers.length];
        ChunkFeed feed = new ChunkFeed();
        Future<ContentCheck.Rejected> checked = scratch.checker().submit(() -> {
            try {
                check.read(feed);
                return null;
            } catch (ContentCheck.Rejected e) {
                return e;
            } catch (IOException | RuntimeException e) {
                return new ContentCheck.Rejected("The snapshot's content could not be checked: " + e, e);
            } finally {
                feed.abandon();
            }
        });
        long bytes = 0;
        try {
            for (int turn = 0;; turn ^= 1) {
                byte[] buffer = buffers[turn];
                await(hashed[turn]); // the hasher is done with this buffer
                await(released[turn]); // and so is the check
                int read = source.read(buffer, bytes);
                if (read == 0) {
                    break;
                }
                bytes += read;
                int length = read;
                hashed[turn] = scratch.hasher().submit(() -> sha256.update(buffer, 0, length));
                released[turn] = feed.offer(buffer, length);
                sink.accept(buffer, length, bytes);
                if (read < buffer.length) {
                    break;
                }
            }
            for (Future<?> pending : hashed) {
                await(pending);
            }
            feed.end();
            ContentCheck.Rejected rejected = await(checked);
            return new Result(bytes, HexFormat.of().formatHex(sha256.digest()), rejected);
        } finally {
            feed.end(); // a failed run: the check reads to the end and stops on its own
            // a failed run leaves at most one hash queued: it ends on its own, and the next run waits only for its own
            for (Future<?> pending : hashed) {
                if (pending != null) {
                    pending.cancel(false);
                }
            }
        }
    }

    /** Waits for the hasher or the check to be done with a buffer (or with the whole body), and returns its result. */
    private static <T> T await(Future<T> work) throws IOException {
        if (work == null) {
            return null;
        }
        try {
            return work.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while hashing");
        } catch (ExecutionException e) {
            throw new IllegalStateException("Hashing or checking the snapshot failed", e.getCause());
        }
    }
}
