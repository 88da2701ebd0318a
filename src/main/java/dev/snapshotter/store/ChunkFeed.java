package dev.snapshotter.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The bytes of a write handed, buffer by buffer, to a {@link ContentCheck} reading on another thread: no copy is made
 * on the writer's side, and each buffer is given back (its future completes) once the reader has moved past it or
 * has stopped reading, so the writer may fill it again.
 */
final class ChunkFeed extends InputStream {

    private record Chunk(byte[] bytes, int length, CompletableFuture<Void> released) {
    }

    private static final Chunk END = new Chunk(new byte[0], 0, CompletableFuture.completedFuture(null));

    private final BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
    private volatile boolean abandoned;
    private Chunk current;
    private int position;

    /** Writer side: the next bytes; the future completes when {@code bytes} may be written over. */
    CompletableFuture<Void> offer(byte[] bytes, int length) {
        Chunk chunk = new Chunk(bytes, length, new CompletableFuture<>());
        queue.add(chunk);
        if (abandoned) {
            releaseQueued();
        }
        return chunk.released();
    }

    /** Writer side: no more bytes (at the end of the body, or when the write failed). */
    void end() {
        queue.add(END);
    }

    /** Reader side, when the check returns or fails: every buffer handed over now or later is given back at once. */
    void abandon() {
        abandoned = true;
        if (current != null) {
            current.released().complete(null);
        }
        releaseQueued();
    }

    private void releaseQueued() {
        for (Chunk chunk; (chunk = queue.poll()) != null;) {
            chunk.released().complete(null);
        }
    }

    private boolean advance() throws IOException {
        while (current == null || position == current.length()) {
            if (current == END) {
                return false;
            }
            if (current != null) {
                current.released().complete(null);
            }
            try {
                current = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the snapshot's bytes");
            }
            position = 0;
        }
        return true;
    }

    @Override
    public int read() throws IOException {
        return advance() ? current.bytes()[position++] & 0xff : -1;
    }

    @Override
    public int read(byte[] into, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (!advance()) {
            return -1;
        }
        int n = Math.min(length, current.length() - position);
        System.arraycopy(current.bytes(), position, into, offset, n);
        position += n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        if (n <= 0 || !advance()) {
            return 0;
        }
        int skipped = (int) Math.min(n, current.length() - position);
        position += skipped;
        return skipped;
    }
}
