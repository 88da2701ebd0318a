package dev.snapshotter.qdrant;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.snapshotter.config.QdrantConfig;
import io.smallrye.mutiny.TimeoutException;
import io.smallrye.mutiny.Uni;

/**
 * The one place that knows how Qdrant is spoken to: which calls, their deadlines, how the envelope is read and how
 * failures are named. Every method either returns what the pipeline needs or throws {@link QdrantException}.
 */
@ApplicationScoped
public class QdrantClient {

    /** Qdrant's JSON answers are small; a longer one is a broken or hostile peer. */
    static final long MAX_JSON_BYTES = 16L * 1024 * 1024;

    private final QdrantApi api;
    private final QdrantDownloadApi downloads;
    private final ObjectMapper json;
    private final URI url;
    private final Duration stallTimeout;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "qdrant-download-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    QdrantClient(@RestClient QdrantApi api, @RestClient QdrantDownloadApi downloads, ObjectMapper json,
            QdrantConfig config,
            @ConfigProperty(name = "quarkus.rest-client.qdrant-download.read-timeout") long stallTimeoutMillis) {
        this.api = api;
        this.downloads = downloads;
        this.json = json;
        this.url = config.url();
        this.stallTimeout = Duration.ofMillis(stallTimeoutMillis);
    }

    @PreDestroy
    void stopWatchdog() {
        watchdog.shutdownNow();
    }

    /** The base URL, for messages (it never holds credentials: the config refuses them). */
    public URI url() {
        return url;
    }

    /** Qdrant's {@code /readyz}, without blocking: completes when it answers 200, fails otherwise. */
    public Uni<Void> ready(Duration timeout) {
        String operation = "GET /readyz";
        return api.readyz().ifNoItem().after(timeout).fail()
                .onFailure().transform(failure -> translate(operation, timeout, failure))
                .invoke(QdrantClient::closeQuietly)
                .replaceWithVoid();
    }

    /** Resolves an alias to the collection it points at, and proves that collection exists. */
    public String resolveCollection(String nameOrAlias, Duration timeout) {
        QdrantResponse<QdrantResponse.Aliases> aliases = call("list aliases", timeout, api::aliases,
                QdrantResponse.Aliases.class);
        String collection = nameOrAlias;
        if (aliases.result() != null && aliases.result().aliases() != null) {
            collection = aliases.result().aliases().stream()
                    .filter(alias -> nameOrAlias.equals(alias.aliasName()))
                    .map(QdrantResponse.Alias::collectionName)
                    .findFirst()
                    .orElse(nameOrAlias);
        }
        String target = collection;
        QdrantResponse<QdrantResponse.Exists> exists = call("check that collection `" + target + "` exists",
                timeout, () -> api.exists(target), QdrantResponse.Exists.class);
        if (exists.result() == null || !exists.result().exists()) {
            String via = target.equals(nameOrAlias) ? "" : " (the alias `" + nameOrAlias + "` points at it)";
            throw QdrantException.missing("check that collection `" + target + "` exists", "Collection `" + target
                    + "`" + via + " does not exist at " + url + "; check QDRANT_COLLECTION");
        }
        return target;
    }

    /** {@code POST /collections/{c}/snapshots?wait=true}: blocks until Qdrant has written the snapshot. */
    public SnapshotDescription createSnapshot(String collection, Duration timeout) {
        String operation = "create snapshot of collection `" + collection + "`";
        QdrantResponse<SnapshotDescription> response = call(operation, timeout, () -> api.createSnapshot(collection),
                SnapshotDescription.class);
        SnapshotDescription description = response.result();
        if (description == null) {
            throw QdrantException.protocol(operation, "has no snapshot description (status "
                    + response.status() + "); Qdrant may still be writing it, see its snapshot list");
        }
        if (!SnapshotNames.isSafe(description.name())) {
            throw QdrantException.protocol(operation, "names the snapshot " + SnapshotNames.quote(description.name())
                    + ", which is not a plain file name; refusing to use it in a path or URL");
        }
        return description;
    }

    /**
     * Opens the snapshot's body for streaming. The caller must close the result. Refuses anything but a plain
     * 200 with an identity-encoded body.
     */
    public Download download(String collection, String name) {
        String operation = "download snapshot " + SnapshotNames.quote(name) + " of collection `" + collection + "`";
        if (!SnapshotNames.isSafe(name)) {
            throw QdrantException.protocol(operation, "is not attempted: the name is not a plain file name");
        }
        Response response;
        try {
            response = downloads.download(collection, name);
        } catch (RuntimeException e) {
            throw translate(operation, null, e);
        }
        try {
            if (response.getStatus() != 200) {
                throw QdrantException.rejected(operation, response.getStatus(), "expected 200 with the whole file");
            }
            String encoding = response.getHeaderString(HttpHeaders.CONTENT_ENCODING);
            if (encoding != null && !encoding.isBlank() && !"identity".equalsIgnoreCase(encoding.trim())) {
                throw QdrantException.protocol(operation, "is encoded as `" + encoding.trim()
                        + "` although identity was asked; an encoded body is not the snapshot");
            }
            // not Response.getLength(): it is an int, and snapshots pass 2 GiB
            long contentLength = contentLength(operation, response.getHeaderString(HttpHeaders.CONTENT_LENGTH));
            InputStream body = response.readEntity(InputStream.class);
            return new Download(response, new WatchedStream(body, response, operation), contentLength);
        } catch (RuntimeException e) {
            response.close();
            throw e instanceof QdrantException q ? q : translate(operation, null, e);
        }
    }

    /** {@code DELETE} with {@code wait=true}; a 404 means it is already gone, which is what was wanted. */
    public void deleteSnapshot(String collection, String name, Duration timeout) {
        String operation = "delete snapshot " + SnapshotNames.quote(name) + " of collection `" + collection + "`";
        try {
            call(operation, timeout, () -> api.deleteSnapshot(collection, name), Boolean.class);
        } catch (QdrantException e) {
            if (e.kind() != QdrantException.Kind.REJECTED || e.status() != 404) {
                throw e;
            }
        }
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

    /** One JSON call: its answer must arrive within {@code timeout} and its envelope fit {@link #MAX_JSON_BYTES}. */
    private <T> QdrantResponse<T> call(String operation, Duration timeout, Supplier<Uni<InputStream>> call,
            Class<T> result) {
        InputStream body;
        try {
            body = call.get().await().atMost(timeout);
        } catch (RuntimeException e) {
            throw translate(operation, timeout, e);
        }
        try (InputStream in = body == null ? InputStream.nullInputStream() : body) {
            return json.readValue(new BoundedStream(in, MAX_JSON_BYTES),
                    json.getTypeFactory().constructParametricType(QdrantResponse.class, result));
        } catch (BoundedStream.TooLong e) {
            throw QdrantException.protocol(operation, "is longer than " + MAX_JSON_BYTES / (1024 * 1024)
                    + " MiB; that is no Qdrant answer");
        } catch (IOException | RuntimeException e) {
            throw translate(operation, timeout, e);
        }
    }

    private static void closeQuietly(InputStream in) {
        if (in != null) {
            try {
                in.close();
            } catch (IOException e) {
                // the answer was already judged by its status
            }
        }
    }

    /** Fails a read that goes past a bound, so an endless answer costs no more memory than the bound. */
    private static final class BoundedStream extends FilterInputStream {

        static final class TooLong extends IOException {
            TooLong() {
                super("answer too long");
            }
        }

        private long left;

        BoundedStream(InputStream in, long limit) {
            super(in);
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0 && --left < 0) {
                throw new TooLong();
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0 && (left -= n) < 0) {
                throw new TooLong();
            }
            return n;
        }
    }

    private QdrantException translate(String operation, Duration timeout, Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof QdrantException q) {
            // the exception mapper knows only the Java method; name the call in the operator's words
            return q.kind() == QdrantException.Kind.REJECTED ? q.withBody(operation) : q;
        }
        if (cause instanceof TimeoutException || cause instanceof java.util.concurrent.TimeoutException) {
            return new QdrantException(QdrantException.Kind.TIMEOUT, operation, 0, "",
                    "Qdrant at " + url + " did not answer " + operation + " within "
                            + (timeout == null ? "the read timeout" : QdrantException.describe(timeout)),
                    cause);
        }
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException || t instanceof java.security.GeneralSecurityException) {
                return new QdrantException(QdrantException.Kind.UNREACHABLE, operation, 0, "",
                        "TLS with Qdrant at " + url + " failed for " + operation + ": " + describe(root)
                                + "; if a private CA signed Qdrant's certificate, set QDRANT_CA_CERT_PATH to its PEM file",
                        cause);
            }
        }
        if (root instanceof com.fasterxml.jackson.core.JacksonException) {
            return QdrantException.protocol(operation, "is not the JSON Qdrant sends: " + describe(root));
        }
        if (cause instanceof ProcessingException || root instanceof java.io.IOException) {
            return new QdrantException(QdrantException.Kind.UNREACHABLE, operation, 0, "",
                    "Qdrant at " + url + " could not be reached for " + operation + ": " + describe(root), cause);
        }
        return new QdrantException(QdrantException.Kind.UNREACHABLE, operation, 0, "",
                "Qdrant call " + operation + " failed: " + describe(root), cause);
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /**
     * The body, watched: a body that stops mid-stream would block the reading thread far longer than the client's
     * read timeout, so when no byte arrives for the stall timeout the watchdog interrupts the blocked read and
     * closes the response, and the read fails saying so.
     */
    private final class WatchedStream extends FilterInputStream {

        private final Response response;
        private final String operation;
        private final ScheduledFuture<?> check;
        private volatile long lastProgress = System.nanoTime();
        private volatile boolean stalled;
        private Thread reader;

        WatchedStream(InputStream body, Response response, String operation) {
            super(body);
            this.response = response;
            this.operation = operation;
            long period = Math.max(50, stallTimeout.toMillis() / 4);
            this.check = watchdog.scheduleAtFixedRate(this::checkProgress, period, period, TimeUnit.MILLISECONDS);
        }

        private void checkProgress() {
            if (stalled || System.nanoTime() - lastProgress <= stallTimeout.toNanos()) {
                return;
            }
            stalled = true;
            check.cancel(false);
            synchronized (this) {
                if (reader != null) {
                    reader.interrupt();
                }
            }
            response.close();
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            synchronized (this) {
                reader = Thread.currentThread();
            }
            try {
                int read = super.read(buffer, offset, length);
                lastProgress = System.nanoTime();
                return read;
            } catch (IOException | RuntimeException e) {
                if (stalled) {
                    throw stallFailure(e);
                }
                throw e;
            } finally {
                synchronized (this) {
                    reader = null;
                }
                if (stalled) {
                    // an interrupt meant for the blocked read must not hit the file writes that follow
                    Thread.interrupted();
                }
            }
        }

        private IOException stallFailure(Throwable cause) {
            return new IOException("Qdrant sent no byte for " + QdrantException.describe(stallTimeout) + " during "
                    + operation + " (stalled stream)", cause);
        }

        @Override
        public void close() throws IOException {
            check.cancel(false);
            super.close();
        }
    }

    /** An open snapshot body. {@code contentLength} is -1 when Qdrant sent none. */
    public record Download(Response response, InputStream body, long contentLength) implements AutoCloseable {
        @Override
        public void close() {
            response.close();
        }
    }
}
