package dev.snapshotter.qdrant;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.snapshotter.config.BoundedDuration;
import dev.snapshotter.config.QdrantConfig;
import dev.snapshotter.config.QdrantTlsConfigSourceFactory;
import dev.snapshotter.net.LingeringSocketFactory;
import dev.snapshotter.net.TransferWatch;

import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;

/**
 * The snapshot transfers, whole: the download ({@code GET /collections/{c}/snapshots/{name}} with
 * {@code Accept-Encoding: identity}) and the upload of a restore, with the {@code api-key} header when set, TLS,
 * the status and length checks, the stall timeout and cancellation, over the JDK's blocking HTTP client.
 * <p>
 * Not the REST client: a snapshot is gigabytes, and the JDK client reads the socket straight into the caller's
 * buffer, where the reactive client hands every network chunk from its event loop to the reading thread. The
 * benchmark measured the difference: about 3 times the throughput on two cores (BENCHMARKS.md). The socket read
 * timeout is a one-second {@link #TICK}; the body's reader turns ticks into the stall timeout (a download that sends
 * no byte for {@code QDRANT_SNAPSHOT_STALL_TIMEOUT} fails) and into a check for cancellation at shutdown.
 * TLS trust is the same as the REST client's: the {@code qdrant} TLS configuration when
 * {@code QDRANT_CA_CERT_PATH} is set, the JVM's default otherwise, over sockets whose close ends a blocked write.
 */
@ApplicationScoped
class QdrantTransfers {

    static final int CONNECT_TIMEOUT_MILLIS = 5000;
    /** The socket read timeout: how often a silent download wakes to check the stall timeout and cancellation. */
    static final Duration TICK = Duration.ofSeconds(1);

    private final String base;
    private final String uploadBase;
    private final QdrantConfig config;
    private final Duration stallTimeout;
    private final SSLSocketFactory tls;

    @Inject
    QdrantTransfers(QdrantConfig config, TlsConfigurationRegistry tlsRegistry) {
        this(withoutSlash(config.snapshot().downloadUrl().orElse(config.url()).toString()),
                withoutSlash(config.url().toString()), config,
                new LingeringSocketFactory(tlsRegistry.get(QdrantTlsConfigSourceFactory.TLS_NAME)
                        .map(QdrantTransfers::socketFactory).orElse((SSLSocketFactory) SSLSocketFactory.getDefault())));
    }

    private QdrantTransfers(String base, String uploadBase, QdrantConfig config, SSLSocketFactory tls) {
        this.base = base;
        this.uploadBase = uploadBase;
        this.config = config;
        this.stallTimeout = config.snapshot().stallTimeout();
        this.tls = tls;
    }

    /** The same transfers, with another Qdrant (a drill's): downloads and uploads both go to {@code other}. */
    QdrantTransfers at(URI other) {
        String url = withoutSlash(other.toString());
        return new QdrantTransfers(url, url, config, tls);
    }

    /**
     * Opens the snapshot's body for streaming: refuses anything but a plain 200 with an identity-encoded body, with
     * Qdrant's status and body when it answers otherwise. The caller must close the result.
     */
    QdrantClient.Download download(String collection, String name, BooleanSupplier cancelled) {
        String operation = "download snapshot " + SnapshotNames.quote(name) + " of collection `" + collection + "`";
        if (!SnapshotNames.isSafe(name)) {
            throw QdrantException.protocol(operation, "is not attempted: the name is not a plain file name");
        }
        HttpURLConnection connection;
        try {
            connection = open(collection, name, cancelled);
        } catch (ConnectTimeout e) {
            throw QdrantException.of(operation, Duration.ofMillis(CONNECT_TIMEOUT_MILLIS), e, base);
        } catch (IOException | RuntimeException e) {
            throw QdrantException.of(operation, stallTimeout, e, base);
        }
        try {
            requireOk(operation, connection);
            String encoding = connection.getHeaderField("Content-Encoding");
            if (encoding != null && !encoding.isBlank() && !"identity".equalsIgnoreCase(encoding.trim())) {
                throw QdrantException.protocol(operation, "is encoded as `" + encoding.trim()
                        + "` although identity was asked; an encoded body is not the snapshot");
            }
            long contentLength = contentLength(operation, connection.getHeaderField("Content-Length"));
            return new QdrantClient.Download(connection, new StallReport(connection.getInputStream(), operation,
                    cancelled), contentLength);
        } catch (IOException | RuntimeException e) {
            connection.disconnect();
            throw e instanceof QdrantException q ? q : QdrantException.of(operation, null, e, base);
        }
    }

    /**
     * Sends the request and returns the connection with its status and headers read; the body is not read. Headers
     * that do not come within a {@link #TICK} are asked for again on a new connection, until the stall timeout has
     * passed or the run is cancelled.
     */
    private HttpURLConnection open(String collection, String name, BooleanSupplier cancelled) throws IOException {
        URL url = URI.create(base + "/collections/" + segment(collection) + "/snapshots/" + segment(name)).toURL();
        long deadline = System.nanoTime() + stallTimeout.toNanos();
        while (true) {
            HttpURLConnection connection = connection(url);
            try {
                connection.connect();
            } catch (SocketTimeoutException e) {
                connection.disconnect();
                throw new ConnectTimeout(e);
            }
            try {
                connection.getResponseCode();
                return connection;
            } catch (SocketTimeoutException e) {
                connection.disconnect();
                if (cancelled.getAsBoolean() || System.nanoTime() - deadline >= 0) {
                    throw e;
                }
            }
        }
    }

    private static String withoutSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /**
     * Uploads a snapshot file for Qdrant to restore:
     * {@code POST /collections/{c}/snapshots/upload?wait=true&priority=snapshot&checksum=<sha256>}, one
     * {@code multipart/form-data} part named {@code snapshot}, streamed at a fixed length as {@code body} writes it
     * (never held in memory). {@code priority} is always explicit: Qdrant's default changed across versions. Qdrant
     * answers once the restore is done, so the answer may take up to {@code timeout}; anything but 200 fails with
     * Qdrant's status and body. A body Qdrant takes no byte of for {@code QDRANT_SNAPSHOT_STALL_TIMEOUT} is cut, and
     * fails as a timeout.
     *
     * @param uploadName the part's file name: Qdrant keeps the upload in its snapshot directory under this name
     * @param size how many bytes {@code body} writes
     * @return false when {@code body} cut the upload before its end (Qdrant restored nothing)
     */
    boolean upload(String collection, String uploadName, String sha256, long size, Duration timeout,
            BooleanSupplier cancelled, QdrantClient.UploadBody body) {
        String operation = "upload snapshot " + SnapshotNames.quote(uploadName) + " to collection `" + collection
                + "`";
        HttpURLConnection connection;
        try {
            connection = send(collection, uploadName, sha256, size, timeout, cancelled, body);
        } catch (Stalled e) {
            throw QdrantException.of(operation, stallTimeout, e, uploadBase);
        } catch (ClosedMidBody e) {
            throw QdrantException.closedMidUpload(operation, uploadBase, e.sent, e.total, e.getCause());
        } catch (QdrantClient.BodyFailed e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw QdrantException.of(operation, timeout, e, uploadBase);
        }
        if (connection == null) {
            return false;
        }
        try (InputStream answer = requireOk(operation, connection).getInputStream()) {
            answer.transferTo(OutputStream.nullOutputStream());
            return true;
        } catch (IOException e) {
            throw QdrantException.of(operation, timeout, e, uploadBase);
        } finally {
            connection.disconnect();
        }
    }

    /** The upload's request, sent; the connection with its status read, or null when {@code body} cut it. */
    private HttpURLConnection send(String collection, String uploadName, String sha256, long size, Duration timeout,
            BooleanSupplier cancelled, QdrantClient.UploadBody body) throws IOException {
        URL url = URI.create(uploadBase + "/collections/" + segment(collection)
                + "/snapshots/upload?wait=true&priority=snapshot&checksum=" + sha256).toURL();
        HttpURLConnection connection = connection(url);
        connection.setRequestMethod("POST");
        connection.setDoOutput(true);
        connection.setReadTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis())));
        connection.setRequestProperty("Accept", "application/json");
        String boundary = "snapshotter-" + UUID.randomUUID();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"snapshot\"; filename=\""
                + uploadName + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        connection.setFixedLengthStreamingMode(head.length + size + tail.length);
        connection.setRequestProperty("Content-Type", "multipart/form-data; boundary=" + boundary);
        // a write Qdrant stops taking blocks without end: the watch cuts it after the stall timeout
        try (TransferWatch watch = TransferWatch.start(stallTimeout)) {
            watch.attempt(connection::disconnect);
            Sending out = null;
            try {
                out = new Sending(connection.getOutputStream(), head.length + size + tail.length, size, cancelled,
                        watch);
                out.write(head);
                if (!body.writeTo(out)) {
                    connection.disconnect(); // the body stays short of its length: Qdrant gets no whole request
                    return null;
                }
                out.write(tail);
                out.close();
            } catch (IOException | RuntimeException e) {
                connection.disconnect();
                if (watch.stalled()) {
                    throw new Stalled(BoundedDuration.describe(stallTimeout), e);
                }
                for (Throwable t = e; t != null; t = t.getCause()) { // also when the body's writer wrapped it
                    if (t instanceof ClosedMidBody closed) {
                        throw closed;
                    }
                    if (t instanceof QdrantClient.BodyFailed failed) {
                        throw failed;
                    }
                    if (t instanceof Cancelled) {
                        throw e;
                    }
                }
                if (out == null) {
                    throw e; // the connection was not made
                }
                // the body failed to read what it sends: nothing of Qdrant's failed
                throw new QdrantClient.BodyFailed(e instanceof UncheckedIOException unchecked ? unchecked.getCause()
                        : e instanceof IOException io ? io : new IOException(e.toString(), e));
            }
        }
        connection.getResponseCode();
        return connection;
    }

    private HttpURLConnection connection(URL url) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) url.openConnection();
        if (connection instanceof HttpsURLConnection https) {
            https.setSSLSocketFactory(tls);
        }
        connection.setInstanceFollowRedirects(false);
        connection.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
        connection.setReadTimeout((int) Math.min(TICK.toMillis(), stallTimeout.toMillis()));
        connection.setRequestProperty("Accept", "application/octet-stream");
        connection.setRequestProperty("Accept-Encoding", "identity");
        config.apiKey().filter(key -> !key.isBlank())
                .ifPresent(key -> connection.setRequestProperty(QdrantApiKeyHeaders.API_KEY_HEADER, key));
        return connection;
    }

    /** The connection, when Qdrant answered 200; otherwise fails with its status and the head of its body. */
    private static HttpURLConnection requireOk(String operation, HttpURLConnection connection) throws IOException {
        int status = connection.getResponseCode();
        if (status != 200) {
            InputStream error = connection.getErrorStream();
            throw QdrantException.rejected(operation, status,
                    QdrantException.readBounded(error != null ? error : InputStream.nullInputStream()));
        }
        return connection;
    }

    private static long contentLength(String operation, String header) {
        if (header == null || header.isBlank()) {
            return -1;
        }
        try {
            long length = Long.parseLong(header.trim());
            if (length >= 0) {
                return length;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw QdrantException.protocol(operation, "has an invalid Content-Length `" + header.strip() + "`");
    }

    /**
     * The download's socket times out every {@link QdrantTransfers#TICK}: a read that times out is retried until
     * Qdrant has been silent for {@code QDRANT_SNAPSHOT_STALL_TIMEOUT} (then it fails as a stalled stream, a timeout),
     * or until the run is cancelled. A blocked socket read cannot be interrupted, and closing the connection from
     * another thread waits for the read to return, so this is how shutdown reaches a silent download.
     */
    private final class StallReport extends FilterInputStream {

        private final String operation;
        private final BooleanSupplier cancelled;

        StallReport(InputStream body, String operation, BooleanSupplier cancelled) {
            super(body);
            this.operation = operation;
            this.cancelled = cancelled;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            long silentSince = System.nanoTime();
            while (true) {
                if (cancelled.getAsBoolean()) {
                    throw new InterruptedIOException("the download was cancelled");
                }
                try {
                    return super.read(buffer, offset, length);
                } catch (SocketTimeoutException e) {
                    if (System.nanoTime() - silentSince < stallTimeout.toNanos()) {
                        continue; // one tick of silence: check for cancellation, then read on
                    }
                    // still a timeout, so that the run reports one (504), in the operator's words
                    SocketTimeoutException named = new SocketTimeoutException("Qdrant sent no byte "
                            + "for " + BoundedDuration.describe(stallTimeout) + " during " + operation
                            + " (stalled stream; QDRANT_SNAPSHOT_STALL_TIMEOUT)");
                    named.initCause(e);
                    throw named;
                }
            }
        }
    }

    /** An upload whose bytes Qdrant stopped taking, cut by its watch. */
    private static final class Stalled extends SocketTimeoutException {
        Stalled(String stallTimeout, Exception cause) {
            super("it took no byte of the upload for " + stallTimeout + ": QDRANT_SNAPSHOT_STALL_TIMEOUT");
            initCause(cause);
        }
    }

    /**
     * The upload's request body on its way: counts what has been written, stops at a cancel, tells the stall watch of
     * progress, turns a write the connection fails into {@link ClosedMidBody}, and one of more, or an end before, the
     * length announced into {@link QdrantClient.BodyFailed} (the file changed).
     */
    private static final class Sending extends FilterOutputStream {
        private final long total;
        private final long fileBytes;
        private final BooleanSupplier cancelled;
        private final TransferWatch watch;
        private long sent;

        /** @param fileBytes how many of the {@code total} bytes are the file's, as its listing said */
        Sending(OutputStream out, long total, long fileBytes, BooleanSupplier cancelled, TransferWatch watch) {
            super(out);
            this.total = total;
            this.fileBytes = fileBytes;
            this.cancelled = cancelled;
            this.watch = watch;
        }

        private QdrantClient.BodyFailed changed(String than) {
            return new QdrantClient.BodyFailed(new IOException("it has " + than + " the " + fileBytes + " bytes "
                    + "announced for its upload (it changed since it was listed)"));
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] { (byte) b }, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            if (cancelled.getAsBoolean()) {
                throw new Cancelled();
            }
            if (sent + length > total) {
                throw changed("more than");
            }
            try {
                out.write(bytes, offset, length);
            } catch (IOException e) {
                throw new ClosedMidBody(sent, total, e);
            }
            sent += length;
            watch.progress();
        }

        @Override
        public void close() throws IOException {
            if (sent < total) {
                throw changed("fewer than");
            }
            try {
                out.close();
            } catch (IOException e) {
                throw new ClosedMidBody(sent, total, e);
            }
        }
    }

    /** The upload was cancelled while its body was being sent. */
    private static final class Cancelled extends InterruptedIOException {
        Cancelled() {
            super("the upload was cancelled");
        }
    }

    /**
     * The connection ended while the upload's body was being written ({@code Broken pipe}, {@code Connection reset}):
     * what Qdrant, or a proxy before it, answered cannot be read then.
     */
    private static final class ClosedMidBody extends IOException {
        final long sent;
        final long total;

        ClosedMidBody(long sent, long total, IOException cause) {
            super(cause.getMessage(), cause);
            this.sent = sent;
            this.total = total;
        }
    }

    /** A connection that could not be made within {@link #CONNECT_TIMEOUT_MILLIS}, told from a silent answer. */
    static final class ConnectTimeout extends SocketTimeoutException {
        ConnectTimeout(SocketTimeoutException cause) {
            super(cause.getMessage());
            initCause(cause);
        }
    }

    private static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static SSLSocketFactory socketFactory(TlsConfiguration configuration) {
        try {
            return configuration.createSSLContext().getSocketFactory();
        } catch (Exception e) {
            throw new IllegalStateException("QDRANT_CA_CERT_PATH could not be turned into a TLS trust store: "
                    + e.getMessage(), e);
        }
    }
}
