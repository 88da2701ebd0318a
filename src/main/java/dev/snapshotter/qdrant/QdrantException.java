package dev.snapshotter.qdrant;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLException;

import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.ConfigProvider;

import com.fasterxml.jackson.core.JacksonException;

import dev.snapshotter.config.BoundedDuration;

import io.vertx.core.Context;

/**
 * A Qdrant call that did not give what the pipeline needs: an error answer (with Qdrant's status and body), no
 * answer at all, no answer in time, or an answer that breaks the protocol. Its message never holds a credential.
 */
public class QdrantException extends RuntimeException {

    /** Bodies longer than this are cut in messages and logs. */
    static final int MAX_BODY_CHARS = 4096;

    public enum Kind {
        /** Qdrant answered with an error status. */
        REJECTED,
        /** No HTTP answer: connection refused or reset, TLS failure, name resolution. */
        UNREACHABLE,
        /** No answer within the time allowed. */
        TIMEOUT,
        /** An answer that breaks Qdrant's protocol (missing result, unsafe name, encoded body). */
        PROTOCOL,
        /** The run that made the call was cancelled (shutdown) while it waited. */
        CANCELLED
    }

    private final Kind kind;
    private final String operation;
    private final int status;
    private final String body;
    /** Whether Qdrant said the collection does not exist (its existence check), not any 404 (a proxy's, say). */
    private final boolean collectionMissing;
    private transient InputStream unreadBody;

    QdrantException(Kind kind, String operation, int status, String body, String message, Throwable cause) {
        this(kind, operation, status, body, message, cause, false);
    }

    private QdrantException(Kind kind, String operation, int status, String body, String message, Throwable cause,
            boolean collectionMissing) {
        super(message, cause);
        this.kind = kind;
        this.operation = operation;
        this.status = status;
        this.body = body;
        this.collectionMissing = collectionMissing;
    }

    /**
     * The failure of a call that got no usable answer, in the operator's words: a timeout (with the deadline it
     * missed), TLS, an answer that is not Qdrant's JSON, an unreachable server; an error answer keeps Qdrant's status
     * and body.
     *
     * @param where the Qdrant asked, for the message
     */
    static QdrantException of(String operation, Duration timeout, Throwable failure, String where) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof QdrantException q) {
            // the exception mapper knows only the Java method; name the call in the operator's words
            return q.kind() == Kind.REJECTED ? q.withBody(operation) : q;
        }
        if (cause instanceof io.smallrye.mutiny.TimeoutException || cause instanceof TimeoutException
                || cause instanceof SocketTimeoutException) {
            return new QdrantException(Kind.TIMEOUT, operation, 0, "",
                    "Qdrant at " + where + " did not answer " + operation + " within "
                            + (timeout == null ? "the read timeout" : BoundedDuration.describe(timeout))
                            + (cause instanceof SocketTimeoutException ? " (" + cause.getMessage() + ")" : ""),
                    cause);
        }
        Throwable root = root(cause);
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SSLException || t instanceof GeneralSecurityException) {
                return new QdrantException(Kind.UNREACHABLE, operation, 0, "",
                        "TLS with Qdrant at " + where + " failed for " + operation + ": " + describe(root)
                                + "; if a private CA signed Qdrant's certificate, set QDRANT_CA_CERT_PATH to its PEM file",
                        cause);
            }
        }
        if (root instanceof JacksonException) {
            return protocol(operation, "is not the JSON Qdrant sends: " + describe(root));
        }
        if (cause instanceof ProcessingException || root instanceof IOException) {
            return new QdrantException(Kind.UNREACHABLE, operation, 0, "",
                    "Qdrant at " + where + " could not be reached for " + operation + ": " + describe(root), cause);
        }
        return new QdrantException(Kind.UNREACHABLE, operation, 0, "",
                "Qdrant call " + operation + " failed: " + describe(root), cause);
    }

    /**
     * The connection ended after {@code sent} of the upload's {@code total} bytes had been written, without an answer
     * that could be read: a proxy that limits request bodies answers 413 and closes so, and its answer is lost while
     * the body is still being sent.
     */
    static QdrantException closedMidUpload(String operation, String where, long sent, long total, Throwable cause) {
        return new QdrantException(Kind.UNREACHABLE, operation, 0, "", "The connection to Qdrant at " + where
                + " ended after " + sent + " of the " + total + " bytes to " + operation + " had been sent ("
                + describe(root(cause)) + "): Qdrant went away, or a proxy in front of it that limits the size of request "
                + "bodies refused it (its 413 cannot be read while the body is still being sent); if so, raise that "
                + "limit above the snapshot's size, or send the restore to Qdrant directly", cause);
    }

    /** The innermost cause: what the socket or the parser said. */
    private static Throwable root(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    static QdrantException rejected(String operation, int status, String answered) {
        String body = redacted(answered);
        return new QdrantException(Kind.REJECTED, operation, status, body,
                "Qdrant answered " + status + " to " + operation + ": " + (body.isEmpty() ? "(empty body)" : body),
                null);
    }

    /**
     * The body of an answer with our key taken out: a proxy (or a stand-in) that echoes the request's headers in its
     * error page would otherwise carry {@code QDRANT_API_KEY} into a log, a report or an exception message.
     */
    static String redacted(String body) {
        Optional<String> key = ConfigProvider.getConfig().getOptionalValue("qdrant.api-key", String.class);
        return key.filter(k -> !k.isBlank() && body.contains(k)).map(k -> body.replace(k, REDACTED)).orElse(body);
    }

    /** What stands for the key in a redacted body. */
    static final String REDACTED = "<QDRANT_API_KEY>";

    static QdrantException collectionMissing(String operation, String message) {
        return new QdrantException(Kind.REJECTED, operation, 404, "", message, null, true);
    }

    static QdrantException cancelled(String operation) {
        return new QdrantException(Kind.CANCELLED, operation, 0, "", "Cancelled while waiting for " + operation,
                null);
    }

    /** Whether Qdrant's existence check said the collection does not exist. */
    public boolean collectionMissing() {
        return collectionMissing;
    }

    /** Whether Qdrant refused our credential: 401, or 403 for a key without the rights the call needs. */
    public boolean credentialRefused() {
        return kind == Kind.REJECTED && (status == 401 || status == 403);
    }

    static QdrantException protocol(String operation, String detail) {
        return new QdrantException(Kind.PROTOCOL, operation, 0, "", "Qdrant's answer to " + operation + " " + detail,
                null);
    }

    /**
     * An error answer. At most {@link #MAX_BODY_CHARS} of its body are read, so a huge answer costs no memory. On
     * the event loop (where the REST client maps errors of streamed calls) nothing may block, so the body is left
     * unread and {@link #withBody(String)} reads it later on the caller's thread.
     */
    static QdrantException fromResponse(String operation, Response response) {
        InputStream in;
        try {
            in = response.readEntity(InputStream.class);
        } catch (RuntimeException e) {
            return rejected(operation, response.getStatus(), "(body unreadable: " + e.getClass().getSimpleName() + ")");
        }
        if (in != null && Context.isOnEventLoopThread()) {
            QdrantException pending = rejected(operation, response.getStatus(), "");
            pending.unreadBody = in;
            return pending;
        }
        return rejected(operation, response.getStatus(), readBounded(in));
    }

    /** This answer with its body read (bounded), for the operation named in operator's words. */
    QdrantException withBody(String namedOperation) {
        String text = unreadBody != null ? readBounded(unreadBody) : body;
        unreadBody = null;
        return rejected(namedOperation, status, text);
    }

    static String readBounded(InputStream stream) {
        if (stream == null) {
            return "";
        }
        byte[] head;
        try {
            head = stream.readNBytes(MAX_BODY_CHARS + 1);
        } catch (IOException | RuntimeException e) {
            closeInBackground(stream);
            return "(body unreadable: " + e.getClass().getSimpleName() + ")";
        }
        if (head.length > MAX_BODY_CHARS) {
            // closing a streamed body reads the rest of it (flow-controlled, a buffer at a time): never in the run
            closeInBackground(stream);
        } else {
            try {
                stream.close();
            } catch (IOException | RuntimeException e) {
                // the head is what we report
            }
        }
        return cut(head);
    }

    /**
     * Closing a streamed body drains it, so long error bodies are closed on one shared daemon thread, a few at a
     * time: a probe loop against a server that answers megabytes costs one thread, not one per answer. When that
     * queue is full the body is left to the connection pool's idle timeout rather than drained on the caller.
     */
    private static void closeInBackground(InputStream stream) {
        try {
            CLOSER.execute(() -> {
                try {
                    stream.close();
                } catch (IOException | RuntimeException e) {
                    // the connection is dropped either way
                }
            });
        } catch (RejectedExecutionException e) {
            // MAX_PENDING_CLOSES bodies are being drained already
        }
    }

    static final int MAX_PENDING_CLOSES = 8;
    private static final ExecutorService CLOSER = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(MAX_PENDING_CLOSES), task -> {
                Thread thread = new Thread(task, "qdrant-error-body-close");
                thread.setDaemon(true);
                return thread;
            }, new ThreadPoolExecutor.AbortPolicy());

    private static String cut(byte[] head) {
        String text = new String(head, StandardCharsets.UTF_8).strip();
        return head.length > MAX_BODY_CHARS
                ? text.substring(0, Math.min(text.length(), MAX_BODY_CHARS)) + "... (truncated)"
                : text;
    }

    public Kind kind() {
        return kind;
    }

    /** What was asked, such as {@code create snapshot of collection `kairos`}. */
    public String operation() {
        return operation;
    }

    /** Qdrant's HTTP status, or 0 when there was no answer. */
    public int status() {
        return status;
    }

    /** Qdrant's body, bounded, or empty. */
    public String body() {
        return body;
    }
}
