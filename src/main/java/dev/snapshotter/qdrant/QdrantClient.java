package dev.snapshotter.qdrant;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.eclipse.microprofile.rest.client.inject.RestClient;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.snapshotter.config.QdrantConfig;

import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.smallrye.mutiny.TimeoutException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The one place that knows how Qdrant is spoken to: which calls, their deadlines, how the envelope is read and how
 * failures are named. Every method either returns what the pipeline needs or throws {@link QdrantException}.
 */
@ApplicationScoped
public class QdrantClient {

    /** Qdrant's JSON answers are small; a longer one is a broken or hostile peer. */
    static final long MAX_JSON_BYTES = 16L * 1024 * 1024;
    /** Deadline of one probe that only asks whether Qdrant answers: readiness, and the waits for it. */
    public static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    /** How often a run waiting on Qdrant looks whether it was cancelled. */
    static final Duration CANCEL_CHECK = Duration.ofMillis(200);

    private final QdrantApi api;
    private final QdrantTransfers transfers;
    private final Instance<ObjectMapper> json;
    private final URI url;
    /** The clients of other Qdrants made so far, one per URL, for the life of the process. */
    private final Map<URI, QdrantClient> others = new ConcurrentHashMap<>();

    /** The JSON mapper is looked up on the first JSON answer: readiness probes and boot need none of Jackson. */
    @Inject
    QdrantClient(@RestClient QdrantApi api, QdrantTransfers transfers, Instance<ObjectMapper> json,
            QdrantConfig config) {
        this(api, transfers, json, config.url());
    }

    private QdrantClient(QdrantApi api, QdrantTransfers transfers, Instance<ObjectMapper> json, URI url) {
        this.api = api;
        this.transfers = transfers;
        this.json = json;
        this.url = url;
    }

    /**
     * A client of another Qdrant (a drill's throwaway one, {@code QDRANT_DRILL_URL}): the same {@code api-key}, TLS
     * trust, error handling and deadlines, every call and transfer to {@code other}.
     */
    public QdrantClient at(URI other) {
        return others.computeIfAbsent(other, url -> {
            QdrantApi remote = QuarkusRestClientBuilder.newBuilder().baseUri(url)
                    .connectTimeout(QdrantTransfers.CONNECT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                    .readTimeout(1, TimeUnit.DAYS).build(QdrantApi.class);
            return new QdrantClient(remote, transfers.at(url), json, url);
        });
    }

    /** The base URL, for messages (it never holds credentials: the config refuses them). */
    public URI url() {
        return url;
    }

    /** Qdrant's {@code /readyz}, without blocking: completes when it answers 200, fails otherwise. */
    public Uni<Void> ready(Duration timeout) {
        String operation = "GET /readyz";
        return api.readyz().ifNoItem().after(timeout).fail()
                // off the event loop: naming a failure reads the head of Qdrant's error body, which may block
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .onFailure().transform(failure -> translate(operation, timeout, failure))
                .invoke(QdrantClient::closeQuietly)
                .replaceWithVoid();
    }

    /**
     * A collection as a run found it.
     *
     * @param name the real collection
     * @param aliases every alias that points at it, sorted
     */
    public record Collection(String name, List<String> aliases) {
    }

    /** Qdrant's {@code GET /}: {@code commit} is null when the build had none. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record VersionInfo(String title, String version, String commit) {
    }

    /** Resolves an alias to the collection it points at, and proves that collection exists. */
    public Collection resolveCollection(String nameOrAlias, Duration timeout, BooleanSupplier cancelled) {
        Map<String, String> aliases = aliases(timeout, cancelled);
        String target = aliases.getOrDefault(nameOrAlias, nameOrAlias);
        List<String> pointing = aliases.entrySet().stream().filter(alias -> target.equals(alias.getValue()))
                .map(Map.Entry::getKey).sorted().toList();
        if (!exists(target, timeout, cancelled)) {
            String via = target.equals(nameOrAlias) ? "" : " (the alias `" + nameOrAlias + "` points at it)";
            throw QdrantException.collectionMissing("check that collection `" + target + "` exists",
                    "Collection `" + target + "`" + via + " does not exist at " + url + "; check QDRANT_COLLECTION");
        }
        return new Collection(target, pointing);
    }

    /** {@code GET /}: the server's version and commit. */
    public VersionInfo version(Duration timeout, BooleanSupplier cancelled) {
        return read("read Qdrant's version", timeout, cancelled, api::root, json -> json.getTypeFactory()
                .constructType(VersionInfo.class));
    }

    /** {@code GET /collections/{c}}: the collection's info as Qdrant returned it (status, counts, config). */
    public CollectionInfo collectionInfo(String collection, Duration timeout, BooleanSupplier cancelled) {
        CollectionInfo info = call("read the info of collection `" + collection + "`", timeout, cancelled,
                () -> api.collection(collection), CollectionInfo.class).result();
        return info == null ? new CollectionInfo(null, null, null, null) : info;
    }

    /**
     * Where the collection's shards live: {@code GET /cluster} says whether this Qdrant is a cluster and which peer
     * answers (and how many peers there are), {@code GET /collections/{c}/cluster} which replicas that peer and the
     * others hold. A key limited to collections may not read {@code /cluster} (403): the collection's view then
     * decides alone.
     */
    public ShardPlacement placement(String collection, Duration timeout, BooleanSupplier cancelled) {
        ShardPlacement.Mode mode;
        int peers = 0;
        try {
            ClusterStatus status = clusterStatus(timeout, cancelled);
            mode = status.enabled() ? ShardPlacement.Mode.DISTRIBUTED : ShardPlacement.Mode.STANDALONE;
            peers = status.peers();
        } catch (QdrantException e) {
            if (e.kind() != QdrantException.Kind.REJECTED || e.status() != 403) {
                throw e;
            }
            mode = ShardPlacement.Mode.UNKNOWN;
        }
        JsonNode info;
        try {
            info = call("read the shard placement of collection `" + collection + "`", timeout, cancelled,
                    () -> api.collectionCluster(collection), JsonNode.class).result();
        } catch (QdrantException e) {
            if (mode != ShardPlacement.Mode.STANDALONE || e.kind() == QdrantException.Kind.CANCELLED) {
                throw e;
            }
            return ShardPlacement.unknown(); // a standalone Qdrant holds every shard: the snapshot is whole anyway
        }
        if (info == null || !info.isObject()) {
            throw QdrantException.protocol("read the shard placement of collection `" + collection + "`",
                    "has no result");
        }
        return ShardPlacement.of(mode, peers, info);
    }

    /** {@code POST /collections/{c}/points/count} with {@code exact: true}: the collection's exact point count. */
    public long countPoints(String collection, Duration timeout, BooleanSupplier cancelled) {
        String operation = "count the points of collection `" + collection + "`";
        JsonNode result = call(operation, timeout, cancelled,
                () -> api.countPoints(collection, "{\"exact\":true}"), JsonNode.class).result();
        if (result == null || !result.path("count").canConvertToLong()) {
            throw QdrantException.protocol(operation, "has no count");
        }
        return result.get("count").asLong();
    }

    /**
     * The ids of up to {@code limit} points of the collection, in Qdrant's order ({@code POST .../points/scroll},
     * without payloads or vectors): integers or UUID strings, as JSON.
     */
    public List<JsonNode> samplePointIds(String collection, int limit, Duration timeout, BooleanSupplier cancelled) {
        JsonNode result = call("read a sample of the points of collection `" + collection + "`", timeout, cancelled,
                () -> api.scroll(collection, "{\"limit\":" + limit + ",\"with_payload\":false,\"with_vector\":false}"),
                JsonNode.class).result();
        List<JsonNode> ids = new ArrayList<>();
        if (result != null) {
            result.path("points").forEach(point -> ids.add(point.get("id")));
        }
        return ids;
    }

    /** Which of these point ids the collection holds ({@code POST /collections/{c}/points}). */
    public List<JsonNode> existingPointIds(String collection, List<JsonNode> ids, Duration timeout,
            BooleanSupplier cancelled) {
        ObjectMapper mapper = json.get();
        ObjectNode body = mapper.createObjectNode();
        ids.forEach(body.putArray("ids")::add);
        body.put("with_payload", false);
        body.put("with_vector", false);
        String request = body.toString();
        JsonNode result = call("read points by id from collection `" + collection + "`", timeout, cancelled,
                () -> api.retrieve(collection, request), JsonNode.class).result();
        List<JsonNode> found = new ArrayList<>();
        if (result != null) {
            result.forEach(point -> found.add(point.get("id")));
        }
        return found;
    }

    /** {@code DELETE /collections/{c}?wait=true}; a 404 means it is already gone. */
    public void deleteCollection(String collection, Duration timeout, BooleanSupplier cancelled) {
        try {
            call("delete collection `" + collection + "`", timeout, cancelled, () -> api.deleteCollection(collection),
                    Boolean.class);
        } catch (QdrantException e) {
            if (e.kind() != QdrantException.Kind.REJECTED || e.status() != 404) {
                throw e;
            }
        }
    }

    /**
     * This node's place in a cluster, from {@code GET /cluster}.
     *
     * @param enabled whether the node runs as a cluster member
     * @param peerId its peer id (an unsigned 64-bit number, as the decimal text Qdrant sent), null when standalone
     * @param peers how many peers the cluster has, this node included (0 when standalone)
     */
    public record ClusterStatus(boolean enabled, String peerId, int peers) {
    }

    /** {@code GET /cluster}: whether this node is a cluster member, and its peer id. */
    public ClusterStatus clusterStatus(Duration timeout, BooleanSupplier cancelled) {
        JsonNode status = call("read the cluster status", timeout, cancelled, api::cluster, JsonNode.class).result();
        boolean enabled = status != null && "enabled".equals(status.path("status").asText());
        String peerId = enabled && status.hasNonNull("peer_id") ? status.get("peer_id").asText() : null;
        if (enabled && (peerId == null || !peerId.matches("\\d{1,20}"))) {
            throw QdrantException.protocol("read the cluster status", "has no peer_id");
        }
        return new ClusterStatus(enabled, peerId, enabled ? Math.max(1, status.path("peers").size()) : 0);
    }

    /**
     * Whether this node is restoring a snapshot into {@code collection} now, as its telemetry's running snapshot
     * recoveries say ({@code GET /telemetry?details_level=2}: {@code collections.snapshots}, Qdrant 1.16 and later);
     * Qdrant counts one from the start of a restore to its end, whether it restored or failed, and a restart of Qdrant
     * ends it. Empty when Qdrant does not say: an older version, a key that may not read the telemetry, an answer over
     * {@link #MAX_JSON_BYTES}.
     */
    public Optional<Boolean> restoring(String collection, Duration timeout, BooleanSupplier cancelled) {
        JsonNode telemetry;
        try {
            telemetry = call("read the telemetry", timeout, cancelled, api::telemetry, JsonNode.class).result();
        } catch (QdrantException e) {
            if (e.credentialRefused() || e.kind() == QdrantException.Kind.PROTOCOL) {
                return Optional.empty();
            }
            throw e;
        }
        JsonNode snapshots = telemetry == null ? null : telemetry.path("collections").get("snapshots");
        if (snapshots == null || !snapshots.isArray()) {
            return Optional.empty();
        }
        for (JsonNode operations : snapshots) {
            if (collection.equals(operations.path("id").asText(null))) {
                return Optional.of(operations.path("running_snapshot_recovery").asLong(0) > 0);
            }
        }
        return Optional.of(false); // Qdrant lists a collection once a snapshot operation on it started
    }

    /** Whether a collection (or an alias) of this name exists: {@code GET /collections/{c}/exists}. */
    public boolean exists(String collection, Duration timeout, BooleanSupplier cancelled) {
        QdrantResponse<QdrantResponse.Exists> exists = call("check that collection `" + collection + "` exists",
                timeout, cancelled, () -> api.exists(collection), QdrantResponse.Exists.class);
        return exists.result() != null && exists.result().exists();
    }

    /** Every alias and the collection it points at: {@code GET /aliases}. */
    public Map<String, String> aliases(Duration timeout, BooleanSupplier cancelled) {
        QdrantResponse<QdrantResponse.Aliases> aliases = call("list aliases", timeout, cancelled, api::aliases,
                QdrantResponse.Aliases.class);
        Map<String, String> pointing = new TreeMap<>();
        if (aliases.result() != null && aliases.result().aliases() != null) {
            aliases.result().aliases().forEach(alias -> pointing.put(alias.aliasName(), alias.collectionName()));
        }
        return pointing;
    }

    /**
     * Points {@code alias} at {@code collection} in one change of Qdrant's aliases: the alias is deleted first when it
     * exists ({@code replace}), so it never points nowhere.
     */
    public void pointAlias(String alias, String collection, boolean replace, Duration timeout,
            BooleanSupplier cancelled) {
        ObjectMapper mapper = json.get();
        ObjectNode body = mapper.createObjectNode();
        var actions = body.putArray("actions");
        if (replace) {
            actions.addObject().putObject("delete_alias").put("alias_name", alias);
        }
        actions.addObject().putObject("create_alias").put("collection_name", collection).put("alias_name", alias);
        String request;
        try {
            request = mapper.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        call("point alias `" + alias + "` at collection `" + collection + "`", timeout, cancelled,
                () -> api.updateAliases(request), Boolean.class);
    }

    /** {@code GET /collections/{c}/snapshots}: the snapshots Qdrant holds for the collection, in no order. */
    public List<SnapshotDescription> listSnapshots(String collection, Duration timeout, BooleanSupplier cancelled) {
        String operation = "list the snapshots of collection `" + collection + "`";
        QdrantResponse<List<SnapshotDescription>> response = read(operation, timeout, cancelled,
                () -> api.listSnapshots(collection), json -> json.getTypeFactory().constructParametricType(
                        QdrantResponse.class, json.getTypeFactory().constructCollectionType(List.class,
                                SnapshotDescription.class)));
        return response.result() == null ? List.of() : response.result();
    }

    /** {@code POST /collections/{c}/snapshots?wait=true}: blocks until Qdrant has written the snapshot. */
    public SnapshotDescription createSnapshot(String collection, Duration timeout, BooleanSupplier cancelled) {
        String operation = "create snapshot of collection `" + collection + "`";
        QdrantResponse<SnapshotDescription> response = call(operation, timeout, cancelled,
                () -> api.createSnapshot(collection), SnapshotDescription.class);
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
     * Opens the snapshot's body for streaming (see {@link QdrantTransfers#download}). The caller must close the result.
     *
     * @param cancelled checked at least once a second while the body is silent: true ends the download at once
     */
    public Download download(String collection, String name, BooleanSupplier cancelled) {
        return transfers.download(collection, name, cancelled);
    }

    /** The file part of an upload, written by the caller; false stops the upload before its end. */
    @FunctionalInterface
    public interface UploadBody {
        /**
         * Writes the file's bytes to {@code out}. A body that throws, or writes more or fewer bytes than the upload
         * announced, fails it with {@link BodyFailed}, and Qdrant gets no whole request.
         *
         * @return true to complete the upload; false to cut it before its end, so that Qdrant restores nothing
         */
        boolean writeTo(OutputStream out) throws IOException;
    }

    /**
     * An upload's body failed, not Qdrant: its file could not be read, or it holds more or fewer bytes than were
     * announced (it changed since it was listed). The cause says which.
     */
    public static final class BodyFailed extends UncheckedIOException {
        BodyFailed(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /**
     * Uploads a snapshot file, as {@code body} writes it, and waits for Qdrant to restore it into {@code collection}
     * (see {@link QdrantTransfers#upload}); a non-200 answer fails with Qdrant's status and body.
     *
     * @return false when {@code body} cut the upload before its end (Qdrant restored nothing)
     */
    public boolean uploadSnapshot(String collection, String uploadName, String sha256, long size, Duration timeout,
            BooleanSupplier cancelled, UploadBody body) {
        return transfers.upload(collection, uploadName, sha256, size, timeout, cancelled, body);
    }

    /** {@code DELETE} with {@code wait=true}; a 404 means it is already gone, which is what was wanted. */
    public void deleteSnapshot(String collection, String name, Duration timeout, BooleanSupplier cancelled) {
        String operation = "delete snapshot " + SnapshotNames.quote(name) + " of collection `" + collection + "`";
        try {
            call(operation, timeout, cancelled, () -> api.deleteSnapshot(collection, name), Boolean.class);
        } catch (QdrantException e) {
            if (e.kind() != QdrantException.Kind.REJECTED || e.status() != 404) {
                throw e;
            }
        }
    }

    /** One enveloped JSON call: its answer must arrive within {@code timeout} and fit {@link #MAX_JSON_BYTES}. */
    private <T> QdrantResponse<T> call(String operation, Duration timeout, BooleanSupplier cancelled,
            Supplier<Uni<InputStream>> call, Class<T> result) {
        return read(operation, timeout, cancelled, call,
                json -> json.getTypeFactory().constructParametricType(QdrantResponse.class, result));
    }

    /** One JSON call, bound to the type {@code type} gives. */
    private <T> T read(String operation, Duration timeout, BooleanSupplier cancelled, Supplier<Uni<InputStream>> call,
            Function<ObjectMapper, JavaType> type) {
        InputStream body = await(operation, timeout, cancelled, call);
        ObjectMapper json = this.json.get();
        try (InputStream in = body == null ? InputStream.nullInputStream() : body) {
            return json.readValue(new BoundedStream(in, MAX_JSON_BYTES), type.apply(json));
        } catch (BoundedStream.TooLong e) {
            throw QdrantException.protocol(operation, "is longer than " + MAX_JSON_BYTES / (1024 * 1024)
                    + " MiB; that is no Qdrant answer");
        } catch (IOException | RuntimeException e) {
            throw translate(operation, timeout, e);
        }
    }

    /**
     * Waits for an answer until {@code timeout}, looking at {@code cancelled} every {@link #CANCEL_CHECK}: shutdown
     * reaches a waiting run through that flag, never by interrupting the thread, which may be a shared worker.
     */
    private InputStream await(String operation, Duration timeout, BooleanSupplier cancelled,
            Supplier<Uni<InputStream>> call) {
        CompletableFuture<InputStream> answer;
        try {
            answer = call.get().subscribeAsCompletionStage();
        } catch (RuntimeException e) {
            throw translate(operation, timeout, e);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (cancelled.getAsBoolean()) {
                answer.cancel(false);
                throw QdrantException.cancelled(operation);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                answer.cancel(false);
                throw translate(operation, timeout, new java.util.concurrent.TimeoutException());
            }
            try {
                return answer.get(Math.min(left, CANCEL_CHECK.toNanos()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                // look at the cancellation flag, then wait on
            } catch (ExecutionException e) {
                throw translate(operation, timeout, e.getCause() == null ? e : e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                answer.cancel(false);
                throw QdrantException.cancelled(operation);
            }
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
        return QdrantException.of(operation, timeout, failure, url.toString());
    }

    /** An open snapshot body. {@code contentLength} is -1 when Qdrant sent none. */
    public record Download(HttpURLConnection connection, InputStream body, long contentLength)
            implements
                AutoCloseable {
        /** Drops the connection: a body not read to its end is not drained first. */
        @Override
        public void close() {
            connection.disconnect();
        }
    }
}
