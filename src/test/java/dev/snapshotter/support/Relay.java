package dev.snapshotter.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay between the app and a server (the real S3 server, the Qdrant stand-in), for faults the server itself cannot
 * be asked for: {@link #goDownAfter} (the server stops in the middle of an upload: every connection is cut and new ones are
 * refused for a while),
 * {@link #flipByteAfter} (one byte of a request body changes on the way, once), {@link #stallAfter} (the server stops
 * reading in the middle of a request, and never answers, while its connection stays open), {@link #refuseBodiesOver} (a
 * proxy refuses a request for its body's size, 413, and closes the connection) and {@link #misreportSizeOnHead}
 * (the server says an object holds another size than it took).
 */
public final class Relay implements AutoCloseable {

    private final ServerSocket server;
    private final String targetHost;
    private final int targetPort;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final AtomicLong downAfter = new AtomicLong(-1);
    private volatile long downMillis;
    private volatile long downUntil;
    private final AtomicLong flipAfter = new AtomicLong(-1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long stallAfter = -1;
    private volatile long refuseOver = -1;
    /** The end of the path of a {@code HEAD} whose next {@code 200} answer says one byte more, once; null: none. */
    private final java.util.concurrent.atomic.AtomicReference<String> misreportHead = new java.util.concurrent.atomic.AtomicReference<>();

    private final boolean tls;
    /** Answers' headers whose names start with this (lower case) are dropped; null: none. */
    private volatile String dropHeaders;

    private Relay(String targetHost, int targetPort, PrivateCa ca) throws IOException {
        this.tls = ca != null;
        this.server = ca == null ? new ServerSocket()
                : tlsContext(ca).getServerSocketFactory().createServerSocket();
        // a small, fixed receive window: a relay that stops reading soon blocks the sender's writes
        server.setReceiveBufferSize(64 * 1024);
        server.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        Thread acceptor = new Thread(this::accept, "relay");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static Relay to(String host, int port) {
        return to(host, port, null);
    }

    /** With {@code ca}: the relay answers https with a certificate {@code ca} signed, and speaks plain http to the server. */
    public static Relay to(String host, int port, PrivateCa ca) {
        try {
            return new Relay(host, port, ca);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static javax.net.ssl.SSLContext tlsContext(PrivateCa ca) {
        try (var in = java.nio.file.Files.newInputStream(ca.serverKeystore())) {
            java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
            store.load(in, PrivateCa.PASSWORD.toCharArray());
            javax.net.ssl.KeyManagerFactory keys = javax.net.ssl.KeyManagerFactory
                    .getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, PrivateCa.PASSWORD.toCharArray());
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public String url() {
        return (tls ? "https://localhost:" : "http://127.0.0.1:") + server.getLocalPort();
    }

    /**
     * Once a connection has sent {@code bytes} towards the server: cut every connection, refuse new ones for {@code millis}.
     * With {@code bytes} 0 the server goes down now, not at the next byte a connection happens to send.
     */
    public void goDownAfter(long bytes, long millis) {
        downMillis = millis;
        if (bytes == 0) {
            downAfter.set(-1);
            goDown();
            return;
        }
        downAfter.set(bytes);
    }

    /** Cuts every connection and refuses new ones for the {@link #goDownAfter} time. */
    private void goDown() {
        synchronized (open) {
            downUntil = System.currentTimeMillis() + downMillis;
            cutAll();
        }
    }

    /**
     * Flips one byte, once, {@code bytes} into a connection's request stream; connections open now are closed first,
     * so the count starts with the next request (a small request never reaches a large offset).
     */
    public void flipByteAfter(long bytes) {
        cutAll();
        flipAfter.set(bytes);
    }

    /**
     * Every connection made from now on stops reading once it has sent {@code bytes} towards the server, and stays open without
     * an answer (the bytes held back never reach the server), until {@link #flowAgain}; connections open now are closed first.
     */
    public void stallAfter(long bytes) {
        cutAll();
        stallAfter = bytes;
    }

    /**
     * A proxy that limits request bodies, as nginx's {@code client_max_body_size} does: a request whose
     * {@code Content-Length} is above {@code bytes} is answered {@code 413} by the relay, which then closes the
     * connection without reading the body (the sender's writes fail, the 413 unread) and sends nothing to the server.
     * Until {@link #flowAgain}; connections open now are closed first.
     */
    public void refuseBodiesOver(long bytes) {
        cutAll();
        refuseOver = bytes;
    }

    /** Ends {@link #stallAfter} and {@link #refuseBodiesOver}: the connections it holds are closed, new ones flow. */
    public void flowAgain() {
        stallAfter = -1;
        refuseOver = -1;
    }

    /**
     * The next {@code 200} answer to a {@code HEAD} of a path ending with {@code pathEnd} says the object holds one byte
     * more than it does ({@code Content-Length}), once: a store that reports other than what it stored.
     */
    public void misreportSizeOnHead(String pathEnd) {
        misreportHead.set(pathEnd);
    }

    /**
     * From now on, the headers of S3's answers whose names start with {@code namePrefix} are dropped: a store that
     * ignores what those headers would report (answers are not signed, so the client cannot tell).
     */
    public void dropResponseHeaders(String namePrefix) {
        dropHeaders = namePrefix.toLowerCase(java.util.Locale.ROOT);
    }

    /** Ends {@link #dropResponseHeaders}. */
    public void keepResponseHeaders() {
        dropHeaders = null;
    }

    /** Whether the proxy refuses connections now. */
    public boolean down() {
        return System.currentTimeMillis() < downUntil;
    }

    private void accept() {
        while (!closed.get()) {
            try {
                Socket client = server.accept();
                if (down()) {
                    client.close();
                    continue;
                }
                Socket upstream = new Socket(targetHost, targetPort);
                synchronized (open) {
                    // the server may have gone down while this connection was being made: one that is not among
                    // the open ones when they are cut would live through the outage
                    if (down()) {
                        closeQuietly(client);
                        closeQuietly(upstream);
                        continue;
                    }
                    open.add(client);
                    open.add(upstream);
                }
                // the request line last sent on this connection (HTTP/1.1 without pipelining: one request at a time)
                java.util.concurrent.atomic.AtomicReference<String> request = new java.util.concurrent.atomic.AtomicReference<>(
                        "");
                pump(client, upstream, true, request);
                pump(upstream, client, false, request);
            } catch (IOException e) {
                // closed, or the target refused: the client sees its connection end
            }
        }
    }

    private void pump(Socket from, Socket to, boolean towardsServer,
            java.util.concurrent.atomic.AtomicReference<String> request) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            long sent = 0;
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    if (towardsServer && startsWithMethod(buffer, read)) {
                        String text = new String(buffer, 0, read, java.nio.charset.StandardCharsets.ISO_8859_1);
                        request.set(text.substring(0, Math.max(0, text.indexOf("\r\n"))));
                    }
                    if (!towardsServer) {
                        read = misreport(buffer, read, request.get());
                        read = dropHeaders(buffer, read);
                    }
                    if (towardsServer) {
                        long flip = flipAfter.get();
                        if (flip >= 0 && sent + read > flip && flipAfter.compareAndSet(flip, -1)) {
                            int at = (int) Math.max(0, flip - sent);
                            buffer[at] ^= 0x55;
                        }
                        if (stallAfter >= 0 && sent + read > stallAfter) {
                            while (stallAfter >= 0 && !closed.get()) {
                                Thread.sleep(50); // reads nothing more: the sender's writes block once buffers fill
                            }
                            return;
                        }
                        if (refuseOver >= 0 && startsWithMethod(buffer, read) && contentLength(buffer, read) > refuseOver) {
                            String page = "<html><head><title>413 Request Entity Too Large</title></head></html>";
                            from.getOutputStream().write(("HTTP/1.1 413 Request Entity Too Large\r\nContent-Type: "
                                    + "text/html\r\nContent-Length: " + page.length() + "\r\nConnection: close\r\n\r\n"
                                    + page).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                            return; // closes both sides, the rest of the body unread
                        }
                        long down = downAfter.get();
                        if (down >= 0 && sent + read > down && downAfter.compareAndSet(down, -1)) {
                            goDown();
                            return;
                        }
                    }
                    out.write(buffer, 0, read);
                    sent += read;
                }
            } catch (IOException e) {
                // cut: both sides end
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "relay-pump");
        thread.setDaemon(true);
        thread.start();
    }

    /** The {@code Content-Length} of a request whose head starts {@code buffer}; -1 without one. */
    private static long contentLength(byte[] buffer, int length) {
        java.util.regex.Matcher header = java.util.regex.Pattern.compile("(?i)\r\ncontent-length: *(\\d+)")
                .matcher(new String(buffer, 0, length, java.nio.charset.StandardCharsets.ISO_8859_1));
        return header.find() ? Long.parseLong(header.group(1)) : -1;
    }

    private static boolean startsWithMethod(byte[] buffer, int length) {
        String start = new String(buffer, 0, Math.min(length, 8), java.nio.charset.StandardCharsets.ISO_8859_1);
        return start.matches("^(GET|PUT|POST|HEAD|DELETE) .*");
    }

    /** {@link #misreportSizeOnHead}: rewrites the answer's {@code Content-Length} in {@code buffer}, in place. */
    private int misreport(byte[] buffer, int length, String requestLine) {
        String pathEnd = misreportHead.get();
        if (pathEnd == null || !requestLine.startsWith("HEAD ")) {
            return length;
        }
        String path = requestLine.split(" ")[1].replaceAll("\\?.*", "");
        String answer = new String(buffer, 0, length, java.nio.charset.StandardCharsets.ISO_8859_1);
        java.util.regex.Matcher size = java.util.regex.Pattern.compile("(?i)content-length: (\\d+)").matcher(answer);
        if (!path.endsWith(pathEnd) || !answer.startsWith("HTTP/1.1 200") || !size.find()
                || !misreportHead.compareAndSet(pathEnd, null)) {
            return length;
        }
        byte[] changed = (answer.substring(0, size.start(1)) + (Long.parseLong(size.group(1)) + 1)
                + answer.substring(size.end(1))).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        System.arraycopy(changed, 0, buffer, 0, changed.length); // a HEAD answer is headers only, far below the buffer
        return changed.length;
    }

    /** {@link #dropResponseHeaders}: removes those header lines from an answer that starts in {@code buffer}. */
    private int dropHeaders(byte[] buffer, int length) {
        String prefix = dropHeaders;
        String answer = new String(buffer, 0, length, java.nio.charset.StandardCharsets.ISO_8859_1);
        int headEnd = answer.indexOf("\r\n\r\n");
        if (prefix == null || !answer.startsWith("HTTP/1.1 ") || headEnd < 0) {
            return length;
        }
        StringBuilder head = new StringBuilder();
        for (String line : answer.substring(0, headEnd).split("\r\n")) {
            if (!line.toLowerCase(java.util.Locale.ROOT).startsWith(prefix)) {
                head.append(line).append("\r\n");
            }
        }
        byte[] changed = (head + answer.substring(headEnd + 2)).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        System.arraycopy(changed, 0, buffer, 0, changed.length); // never longer than what was read
        return changed.length;
    }

    private void cutAll() {
        synchronized (open) {
            for (Socket socket : open) {
                closeQuietly(socket);
            }
            open.clear();
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed.set(true);
        try {
            server.close();
        } catch (IOException e) {
            // already closed
        }
        cutAll();
    }
}
