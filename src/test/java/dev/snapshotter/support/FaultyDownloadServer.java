package dev.snapshotter.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A raw HTTP/1.1 server for the faults WireMock cannot make: a 200 whose body stops before its Content-Length
 * (then a clean close or a TCP reset), or that stalls; or an error answer with a body of many MiB, made on the fly
 * and counted as it goes out. Serves every request with the current {@link Plan} or {@link HugeError}.
 */
public final class FaultyDownloadServer implements AutoCloseable {

    /** What to send: the full body is {@code body}; only {@code sendBytes} of it go out, then {@code ending}. */
    public record Plan(byte[] body, int sendBytes, Ending ending, long contentLength) {
        public Plan(byte[] body, int sendBytes, Ending ending) {
            this(body, sendBytes, ending, body.length);
        }
    }

    public enum Ending {
        /** Close the connection normally, leaving the body short of its Content-Length. */
        CLOSE,
        /** Abort with a TCP reset (SO_LINGER 0). */
        RESET,
        /** Keep the connection open and send nothing more. */
        STALL
    }

    /**
     * Answer {@code status} with a plain-text body of {@code bytes} bytes; with {@code stallAfter} at or above 0, only
     * that many go out, then the connection stays open and silent (a body that can never be drained).
     */
    public record HugeError(int status, long bytes, long stallAfter) {

        public HugeError(int status, long bytes) {
            this(status, bytes, -1);
        }

        /** 1 GiB announced, 64 KiB sent, then silence: closing the body cannot finish while the server is silent. */
        public static HugeError stalling(int status) {
            return new HugeError(status, 1024L * 1024 * 1024, 64 * 1024);
        }

        /**
         * 1 GiB: more than the test JVM's whole heap (-Xmx768m in the POM), which it shares with the app under test. A
         * body buffered whole cannot fit, so a run that completes proves the body was streamed and memory stayed flat.
         */
        public static HugeError moreThanTheTestHeap(int status) {
            return new HugeError(status, 1024L * 1024 * 1024);
        }
    }

    private final ServerSocket socket;
    private final AtomicReference<HugeError> hugeError = new AtomicReference<>();
    private final AtomicLong hugeBytesSent = new AtomicLong();
    private final AtomicReference<Plan> plan = new AtomicReference<>(new Plan(new byte[0], 0, Ending.CLOSE));
    private final Thread acceptor;

    private FaultyDownloadServer(ServerSocket socket) {
        this.socket = socket;
        this.acceptor = new Thread(this::acceptLoop, "faulty-download-server");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    public static FaultyDownloadServer start() throws IOException {
        return new FaultyDownloadServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
    }

    public String url() {
        return "http://127.0.0.1:" + socket.getLocalPort();
    }

    public void plan(Plan next) {
        hugeError.set(null);
        plan.set(next);
    }

    public void plan(HugeError next) {
        hugeBytesSent.set(0);
        hugeError.set(next);
    }

    /** How many body bytes of the current {@link HugeError} the client has taken so far (give or take buffers). */
    public long hugeBytesSent() {
        return hugeBytesSent.get();
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket connection = socket.accept();
                Thread handler = new Thread(() -> serve(connection), "faulty-download-connection");
                handler.setDaemon(true);
                handler.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket connection) {
        Plan current = plan.get();
        HugeError huge = hugeError.get();
        try {
            readRequestHead(connection.getInputStream());
            OutputStream out = connection.getOutputStream();
            if (huge != null) {
                sendHugeError(out, huge);
                return;
            }
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: "
                    + current.contentLength() + "\r\nAccept-Ranges: bytes\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(current.body(), 0, current.sendBytes());
            out.flush();
            switch (current.ending()) {
                case RESET -> {
                    connection.setSoLinger(true, 0);
                    connection.close();
                }
                case CLOSE -> connection.close();
                case STALL -> Thread.sleep(30_000);
            }
        } catch (IOException | InterruptedException e) {
            // the client went away: nothing to do
        } finally {
            try {
                connection.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }

    private void sendHugeError(OutputStream out, HugeError huge) throws IOException {
        out.write(("HTTP/1.1 " + huge.status() + " Error\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                + huge.bytes() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) 'x');
        for (long left = huge.bytes(); left > 0; left -= chunk.length) {
            if (huge.stallAfter() >= 0 && huge.bytes() - left >= huge.stallAfter()) {
                out.flush();
                try {
                    Thread.sleep(30_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            int n = (int) Math.min(chunk.length, left);
            out.write(chunk, 0, n);
            hugeBytesSent.addAndGet(n);
        }
        out.flush();
    }

    private static void readRequestHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = { '\r', '\n', '\r', '\n' };
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("request ended early");
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
