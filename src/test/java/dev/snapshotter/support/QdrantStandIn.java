package dev.snapshotter.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.request;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

/**
 * Answers like Qdrant 1.19 per ../shared/qdrant-snapshot-api.md: the JSON envelope ({@code result,status,time}, no
 * {@code result} on errors), snapshot names {@code <collection>-<peer id>-<UTC time>.snapshot}, lowercase SHA-256
 * checksums, plain-text download errors, and the api-key middleware (401 text with no Content-Type; {@code
 * /readyz} needs no key). Tests reset it and describe the Qdrant they need; the snapshot directory, the service's
 * API and test data have classes of their own ({@link SnapshotDir}, {@link ServiceApi}, {@link TestData}).
 */
public final class QdrantStandIn {

    public static final String API_KEY = "qk-SECRET-4b1d9e7c";
    /** Every credential the tests use holds this marker, so one search finds any leak. */
    public static final String SECRET_MARKER = "-SECRET-";
    public static final String COLLECTION = "kairos";
    static final long PEER_ID = 3766212330831337L;
    private static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH-mm-ss");

    private final WireMockServer server;
    private final SnapshotDir directory;
    private final FaultyDownloadServer faulty;
    private volatile String peerId = String.valueOf(PEER_ID);

    QdrantStandIn(WireMockServer server, SnapshotDir directory, FaultyDownloadServer faulty) {
        this.server = server;
        this.directory = directory;
        this.faulty = faulty;
    }

    /** A stand-in on servers a test runs itself (for tests that start the packaged app as a process). */
    public static QdrantStandIn on(WireMockServer server, SnapshotDir directory, FaultyDownloadServer faulty) {
        return new QdrantStandIn(server, directory, faulty);
    }

    /**
     * The options of every WireMock server of the tests: loopback, a free port, one acceptor (Jetty warns at each start
     * when its default outnumbers these machines' cores).
     */
    public static WireMockConfiguration loopback() {
        return WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1").jettyAcceptors(1);
    }

    /**
     * A reset stand-in on a WireMock server of its own (loopback, a free port), for a test that starts the packaged
     * app as a process; the test stops it with {@code server().stop()}.
     */
    public static QdrantStandIn started(SnapshotDir directory) {
        WireMockServer server = new WireMockServer(loopback());
        server.start();
        QdrantStandIn standIn = new QdrantStandIn(server, directory, null);
        standIn.reset();
        return standIn;
    }

    /**
     * What a packaged app needs to back up {@code kairos} from this stand-in into its directory, its API behind
     * {@link ServiceApi#API_TOKEN}.
     */
    public Map<String, String> appEnvironment() {
        return Map.of("QDRANT_URL", url(), "QDRANT_API_KEY", API_KEY, "QDRANT_SNAPSHOT_API_TOKEN", ServiceApi.API_TOKEN,
                "QDRANT_COLLECTION", COLLECTION, "QDRANT_SNAPSHOT_DIR", directory.directory().toString());
    }

    /** {@link #appEnvironment()} with {@code more} set too (in place of a variable it already names). */
    public Map<String, String> appEnvironment(Map<String, String> more) {
        Map<String, String> environment = new HashMap<>(appEnvironment());
        environment.putAll(more);
        return environment;
    }

    /** A snapshot Qdrant has made. */
    public record Snapshot(String collection, String name, byte[] body, String sha256) {
        public String downloadPath() {
            return "/collections/" + encoded(collection) + "/snapshots/" + encoded(name);
        }
    }

    /** Qdrant refuses the credential on every call, the way its auth middleware does: raw text, no Content-Type. */
    public void credentialRefused(int status, String text) {
        server.stubFor(any(anyUrl()).atPriority(1).withHeader("api-key", equalTo(API_KEY))
                .willReturn(aResponse().withStatus(status).withBody(text)));
        server.stubFor(get(urlEqualTo("/readyz")).atPriority(1)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/plain; charset=utf-8")
                        .withBody("all shards are ready")));
    }

    /** The base URL the service is given as {@code QDRANT_URL} (plain HTTP). */
    public String url() {
        return "http://localhost:" + server.port();
    }

    public WireMockServer server() {
        return server;
    }

    /** The snapshot directory of the app this Qdrant serves, which {@link #reset()} empties. */
    public SnapshotDir directory() {
        return directory;
    }

    public FaultyDownloadServer faulty() {
        return faulty;
    }

    /** A healthy single-node Qdrant with the collection {@code kairos}, no alias, no snapshot; empty directory. */
    public void reset() {
        server.resetAll();
        directory.clear();
        peerId = String.valueOf(PEER_ID);
        // the api-key middleware: whitelisted paths aside, no key or a wrong key is a bare-text 401
        server.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().withStatus(401)
                .withBody("Must provide an API key or an Authorization bearer token")));
        server.stubFor(any(anyUrl()).atPriority(9).withHeader("api-key", matching(".*"))
                .willReturn(aResponse().withStatus(401).withBody("Invalid API key or JWT")));
        server.stubFor(get(urlEqualTo("/readyz")).atPriority(1)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/plain; charset=utf-8")
                        .withBody("all shards are ready")));
        server.stubFor(get(urlEqualTo("/")).atPriority(1).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(VERSION_INFO)));
        server.stubFor(authed(get(urlEqualTo("/aliases"))).willReturn(ok("{\"aliases\":[]}")));
        server.stubFor(authed(get(urlEqualTo("/cluster"))).willReturn(ok("{\"status\":\"disabled\"}")));
        // Qdrant's telemetry, abridged: collections' snapshot operations only from details level 2 on, and none yet
        server.stubFor(authed(get(urlPathEqualTo("/telemetry"))).willReturn(ok(telemetry(null))));
        server.stubFor(authed(get(urlPathEqualTo("/telemetry"))).withQueryParam("details_level", matching("[2-9]"))
                .willReturn(ok(telemetry("[]"))));
        collectionExists(COLLECTION);
    }

    /**
     * The {@code result} of {@code GET /telemetry}, abridged from Qdrant 1.19's: {@code snapshots} (a JSON list of
     * {@code CollectionSnapshotTelemetry}) in {@code collections}, or nothing there when null (details level below 2).
     */
    private static String telemetry(String snapshots) {
        return "{\"id\":\"5c4a2b1e-0d7f-4e3a-9b61-2f8c7d9e0a13\",\"app\":{\"name\":\"qdrant\",\"version\":\"1.19.0\"},"
                + "\"collections\":{\"number_of_collections\":1" + (snapshots == null ? ""
                        : ",\"collections\":[],\"snapshots\":" + snapshots)
                + "}}";
    }

    /**
     * A Qdrant before 1.16, whose telemetry has no snapshot operations at any details level; or (with
     * {@code refused}) one whose key may not read the telemetry (403, as for a key without global access).
     */
    public void telemetrySaysNothingOfRestores(boolean refused) {
        server.stubFor(authed(get(urlPathEqualTo("/telemetry"))).atPriority(1).willReturn(refused
                ? error(403, "Forbidden: Global access is required")
                : ok(telemetry(null))));
    }

    /** Qdrant's telemetry lists {@code collection} with {@code running} snapshot restores going. */
    private static String restoresGoing(String collection, int running) {
        return telemetry("[{\"id\":\"" + jsonEscaped(collection) + "\",\"running_snapshots\":0,"
                + "\"running_snapshot_recovery\":" + running + ",\"total_snapshot_creations\":0}]");
    }

    /**
     * Qdrant runs as a cluster: {@code GET /cluster} names this node {@code peerId} among {@code peers}, and
     * {@code GET /collections/{c}/cluster} answers {@code collectionCluster} (a {@code CollectionClusterInfo}).
     */
    public void cluster(String peerId, List<String> peers, String collection, String collectionCluster) {
        this.peerId = peerId;
        StringBuilder known = new StringBuilder();
        for (String peer : peers) {
            known.append(known.length() == 0 ? "" : ",").append("\"").append(peer).append("\":{\"uri\":\"http://qdrant-")
                    .append(peer).append(".qdrant-headless:6335/\"}");
        }
        server.stubFor(authed(get(urlEqualTo("/cluster"))).willReturn(ok("{\"status\":\"enabled\",\"peer_id\":"
                + peerId + ",\"peers\":{" + known + "},\"raft_info\":{\"term\":2,\"commit\":31,"
                + "\"pending_operations\":0,\"leader\":" + peers.get(0) + ",\"role\":\"Follower\",\"is_voter\":true},"
                + "\"consensus_thread_status\":{\"consensus_thread_status\":\"working\",\"last_update\":"
                + "\"2026-11-24T00:15:00.000000Z\"},\"message_send_failures\":{}}")));
        server.stubFor(authed(get(urlEqualTo("/collections/" + encoded(collection) + "/cluster")))
                .willReturn(ok(collectionCluster)));
    }

    /**
     * The key is a JWT limited to collections: {@code GET /cluster} answers 403 {@code Forbidden: Global access is
     * required} (Qdrant's handler checks global access), while the collection's own calls still answer.
     */
    public void clusterStatusNeedsGlobalAccess() {
        server.stubFor(authed(get(urlEqualTo("/cluster"))).willReturn(error(403, "Forbidden: Global access is required")));
    }

    /** {@code GET /collections/{c}/cluster} of the collections whose (encoded) names match this pattern. */
    public void collectionCluster(String collectionPattern, String collectionCluster) {
        server.stubFor(authed(get(urlPathMatching("/collections/" + collectionPattern + "/cluster")))
                .willReturn(ok(collectionCluster)));
    }

    /**
     * {@code GET /collections/{c}/cluster} of {@code collection} answers {@code first} once, then {@code then} (replicas
     * that settle after a restore).
     */
    public void collectionClusterSettles(String collection, String first, String then) {
        String scenario = "settling " + collection;
        String path = "/collections/" + encoded(collection) + "/cluster";
        server.stubFor(authed(get(urlEqualTo(path))).inScenario(scenario)
                .whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED).willSetStateTo("settled")
                .willReturn(ok(first)));
        server.stubFor(authed(get(urlEqualTo(path))).inScenario(scenario).whenScenarioStateIs("settled")
                .willReturn(ok(then)));
    }

    /** One shard entry of a {@code CollectionClusterInfo}: local when {@code peerId} is null. */
    public static String shard(int id, String peerId, String state) {
        return "{\"shard_id\":" + id + (peerId == null ? ",\"points_count\":114" : ",\"peer_id\":" + peerId)
                + ",\"state\":\"" + state + "\"}";
    }

    /** {@code GET /} of Qdrant 1.19.0: no envelope, no auth. */
    public static final String VERSION_INFO = "{\"title\":\"qdrant - vector search engine\",\"version\":\"1.19.0\","
            + "\"commit\":\"74f3e85b9473c62560006c043e13737ce6b48412\"}";
    /** The {@code result} of {@code GET /collections/kairos}, abridged from Qdrant 1.19's answer. */
    public static final String COLLECTION_INFO = "{\"status\":\"green\",\"optimizer_status\":\"ok\","
            + "\"indexed_vectors_count\":0,\"points_count\":1234,\"segments_count\":2,\"config\":{\"params\":"
            + "{\"vectors\":{\"size\":384,\"distance\":\"Cosine\"},\"shard_number\":1,\"replication_factor\":1,"
            + "\"write_consistency_factor\":1,\"on_disk_payload\":true},\"hnsw_config\":{\"m\":16,\"ef_construct\":100,"
            + "\"full_scan_threshold\":10000},\"optimizer_config\":{\"deleted_threshold\":0.2},\"wal_config\":"
            + "{\"wal_capacity_mb\":32,\"wal_segments_ahead\":0}},\"payload_schema\":{}}";

    /** The collection exists: {@code exists} says so, its info answers, and it has no snapshot listed. */
    /**
     * Collection {@code collection} does not exist until a snapshot is uploaded to it ({@code POST
     * /collections/{c}/snapshots/upload?wait=true&priority=snapshot&checksum=...}, 200 {@code true}); then it exists,
     * is green with the test archives' vectors, counts {@code points}, and its snapshot list holds the upload under
     * {@code uploadName} (Qdrant keeps every upload) until it is deleted.
     */
    public void restoresUploads(String collection, long points, String uploadName) {
        restoresUploads(collection, points, uploadName, 0);
    }

    /** {@link #restoresUploads(String, long, String)}, the upload answering after {@code delayMillis}. */
    public void restoresUploads(String collection, long points, String uploadName, int delayMillis) {
        restoresUploadsTo(java.util.regex.Pattern.quote(encoded(collection)), points, uploadName, delayMillis,
                SAMPLE_IDS);
    }

    /**
     * Any collection whose name matches {@code collectionPattern} (a restore drill's scratch collection, named by the
     * time) is missing until a snapshot is uploaded to it; then it exists, counts {@code points}, holds the points
     * {@code presentIds} of the sample (a JSON list of ids), lists the upload as {@code uploadName}; dropping it
     * ({@code DELETE /collections/{c}}) makes it missing again.
     */
    public void restoresUploadsTo(String collectionPattern, long points, String uploadName, int delayMillis,
            String presentIds) {
        String c = collectionPattern;
        String scenario = "restore " + collectionPattern;
        String restored = "restored";
        String started = com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
        ResponseDefinitionBuilder missing = aResponse().withStatus(404).withHeader("Content-Type", "application/json")
                .withBody("{\"status\":{\"error\":\"Not found: Collection doesn't exist!\"},\"time\":0.000412}");
        server.stubFor(authed(get(urlPathMatching("/collections/" + c + "/exists"))).inScenario(scenario)
                .whenScenarioStateIs(started).willReturn(ok("{\"exists\":false}")));
        server.stubFor(authed(get(urlPathMatching("/collections/" + c))).inScenario(scenario)
                .whenScenarioStateIs(started).willReturn(missing));
        server.stubFor(authed(get(urlPathMatching("/collections/" + c + "/snapshots"))).inScenario(scenario)
                .whenScenarioStateIs(started).willReturn(missing));
        server.stubFor(authed(post(urlPathMatching("/collections/" + c + "/snapshots/upload")))
                .withQueryParam("wait", equalTo("true")).withQueryParam("priority", equalTo("snapshot"))
                .withQueryParam("checksum", matching("[0-9a-f]{64}"))
                .withHeader("Content-Type", com.github.tomakehurst.wiremock.client.WireMock.containing(
                        "multipart/form-data; boundary="))
                .inScenario(scenario).willSetStateTo(restored).willReturn(ok("true").withFixedDelay(delayMillis)));
        answersAsRestored(c, scenario, restored, points, presentIds, uploadName);
        server.stubFor(authed(delete(urlPathMatching("/collections/" + c + "/snapshots/"
                + java.util.regex.Pattern.quote(encoded(uploadName))))).willReturn(ok("true")));
        server.stubFor(authed(delete(urlPathMatching("/collections/" + c))).inScenario(scenario)
                .willSetStateTo(started).willReturn(ok("true")));
    }

    /**
     * In {@code state} of {@code scenario}, the collections {@code c} matches exist as a restore leaves them: green, the
     * snapshot's vectors, {@code points} counted, the sampled ids {@code presentIds} there, the upload's copy listed.
     */
    private void answersAsRestored(String c, String scenario, String state, long points, String presentIds,
            String uploadName) {
        server.stubFor(authed(get(urlPathMatching("/collections/" + c + "/exists"))).inScenario(scenario)
                .whenScenarioStateIs(state).willReturn(ok("{\"exists\":true}")));
        server.stubFor(authed(get(urlPathMatching("/collections/" + c))).inScenario(scenario)
                .whenScenarioStateIs(state).willReturn(ok(collectionInfo(SnapshotArchiveBuilder.VECTORS))));
        server.stubFor(authed(post(urlPathMatching("/collections/" + c + "/points/count"))).inScenario(scenario)
                .whenScenarioStateIs(state).willReturn(ok("{\"count\":" + points + "}")));
        server.stubFor(authed(post(urlPathMatching("/collections/" + c + "/points"))).inScenario(scenario)
                .whenScenarioStateIs(state).willReturn(ok(retrieved(presentIds))));
        server.stubFor(authed(get(urlPathMatching("/collections/" + c + "/snapshots"))).inScenario(scenario)
                .whenScenarioStateIs(state).willReturn(ok("[{\"name\":\"" + uploadName
                        + "\",\"creation_time\":\"2026-11-24T00:15:00\",\"size\":4096}]")));
    }

    /**
     * Qdrant goes on restoring an upload into {@code collection} ({@link #restoresUploadsTo}) after it answered (after
     * {@code delayMillis}): the collection exists, counting {@code points} (part of the backup), with the copy of the
     * upload {@code uploadName} listed, until {@link #restoreEnds}.
     */
    public void restoreGoesOn(String collection, String uploadName, int delayMillis, long points) {
        String c = java.util.regex.Pattern.quote(encoded(collection));
        String scenario = "restore " + c;
        server.stubFor(authed(post(urlPathMatching("/collections/" + c + "/snapshots/upload"))).atPriority(1)
                .inScenario(scenario).willSetStateTo("restoring").willReturn(ok("true").withFixedDelay(delayMillis)));
        answersAsRestored(c, scenario, "restoring", points, SAMPLE_IDS, uploadName);
        server.stubFor(authed(get(urlPathEqualTo("/telemetry"))).withQueryParam("details_level", matching("[2-9]"))
                .inScenario(scenario).whenScenarioStateIs("restoring")
                .willReturn(ok(restoresGoing(collection, 1))));
    }

    /** Qdrant's restore into {@code collection} that {@link #restoreGoesOn} ended: it holds the backup whole. */
    public void restoreEnds(String collection) {
        server.setScenarioState("restore " + java.util.regex.Pattern.quote(encoded(collection)), "restored");
    }

    /**
     * Qdrant's restore into {@code collection} that {@link #restoreGoesOn} ended without restoring it (it failed, or
     * Qdrant restarted during it): the collection stays as it left it, counting {@code leftPoints}, until it is dropped;
     * the telemetry lists no restore of it going; an upload to it after that restores it whole at once.
     */
    public void restoreFails(String collection, String uploadName, long leftPoints) {
        String c = java.util.regex.Pattern.quote(encoded(collection));
        String scenario = "restore " + c;
        answersAsRestored(c, scenario, "failed", leftPoints, SAMPLE_IDS, uploadName);
        server.stubFor(authed(get(urlPathEqualTo("/telemetry"))).withQueryParam("details_level", matching("[2-9]"))
                .inScenario(scenario).whenScenarioStateIs("failed").willReturn(ok(restoresGoing(collection, 0))));
        server.stubFor(authed(post(urlPathMatching("/collections/" + c + "/snapshots/upload"))).atPriority(1)
                .inScenario(scenario).willSetStateTo("restored").willReturn(ok("true")));
        server.setScenarioState(scenario, "failed");
    }

    /**
     * A boot's restore of {@code collection} ({@link #restoresUploadsTo}) did not end: the directory records it as under
     * way, and the collection exists as Qdrant left it, with the copy of the upload {@code uploadName} listed, until it
     * is dropped: answering as a restored one (Qdrant restored it whole after the process stopped) when
     * {@code leftPoints} is negative, else counting that many points (part of the backup: Qdrant was still restoring).
     */
    public void restoreLeftUnfinished(String collection, String uploadName, long leftPoints) {
        String c = java.util.regex.Pattern.quote(encoded(collection));
        String scenario = "restore " + c;
        if (leftPoints < 0) {
            server.setScenarioState(scenario, "restored");
        } else {
            answersAsRestored(c, scenario, "left", leftPoints, SAMPLE_IDS, uploadName);
            server.setScenarioState(scenario, "left");
        }
        bootRestoreRecorded(collection, null);
    }

    /**
     * The first request {@code method path} (a path without its query) Qdrant is sent fails (500, Qdrant's JSON error);
     * the later ones answer as before.
     */
    public void failsFirst(String method, String path) {
        String scenario = "first " + method + " " + path;
        server.stubFor(authed(request(method, urlPathEqualTo(path))).atPriority(1).inScenario(scenario)
                .whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
                .willSetStateTo("failed").willReturn(aResponse().withStatus(500)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"status\":{\"error\":\"Service internal error: the request failed\"},"
                                + "\"time\":0.000412}")));
    }

    /** Every request {@code method path} (a path without its query) Qdrant is sent fails (500, Qdrant's JSON error). */
    public void fails(String method, String path) {
        server.stubFor(authed(request(method, urlPathEqualTo(path))).atPriority(1).willReturn(aResponse()
                .withStatus(500).withHeader("Content-Type", "application/json")
                .withBody("{\"status\":{\"error\":\"Service internal error: the request failed\"},\"time\":0.000412}")));
    }

    /**
     * The directory records a boot's restore of {@code collection} as under way (since 2026-12-01T03:00:00Z), into the
     * Qdrant at {@code qdrantUrl} (null: a record that names none, as earlier versions wrote them).
     */
    public void bootRestoreRecorded(String collection, String qdrantUrl) {
        try {
            Files.writeString(directory.directory().resolve(".boot-restore.json"), "{\"collection\":\"" + collection
                    + "\",\"startedAt\":\"2026-12-01T03:00:00Z\""
                    + (qdrantUrl == null ? "" : ",\"qdrant\":\"" + qdrantUrl + "\"") + "}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The scratch collection {@link #scratchLeft} records on this Qdrant, which drops it. */
    public static final String SCRATCH_LEFT = "drill-kairos-20261201-030000";
    /** The scratch collection {@link #scratchLeft} records on this Qdrant, whose drop fails (500). */
    public static final String SCRATCH_STUCK = "drill-kairos-20261202-030000";
    /** The scratch collection {@link #scratchLeft} records on another Qdrant. */
    public static final String SCRATCH_ELSEWHERE = "drill-kairos-20261203-030000";

    /**
     * Drills of an earlier process left scratch collections, recorded in the directory's drill history:
     * {@link #SCRATCH_LEFT} here (with a copy of its upload listed), which Qdrant drops, {@link #SCRATCH_STUCK} here,
     * whose drop Qdrant fails, and {@link #SCRATCH_ELSEWHERE} on another Qdrant.
     */
    public void scratchLeft() {
        listsSnapshots(SCRATCH_LEFT, "restore-2026-12-01T02-00-00-000Z-kairos.snapshot");
        deletesAnySnapshot(SCRATCH_LEFT);
        dropsCollection(SCRATCH_LEFT);
        listsSnapshots(SCRATCH_STUCK);
        dropFails(SCRATCH_STUCK, 500, "Service internal error: disk I/O");
        String scratch = "{\"collection\":\"%s\",\"qdrant\":\"%s\",\"since\":\"%s\"}";
        try {
            Files.writeString(directory.directory().resolve(".drills.json"), "{\"lastDrilledAt\":null,"
                    + "\"lastPassedAt\":null,\"scratch\":[" + scratch.formatted(SCRATCH_LEFT, url(), "2026-12-01T03:00:00Z")
                    + "," + scratch.formatted(SCRATCH_STUCK, url(), "2026-12-02T03:00:00Z") + ","
                    + scratch.formatted(SCRATCH_ELSEWHERE, "http://drills.invalid:6333", "2026-12-03T03:00:00Z") + "]}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The run of a restore an earlier process stopped during ({@link #restoreStopped}), its snapshot and target. */
    public static final String STOPPED_RUN = "2026-12-01T03-00-00-000Z-restore";
    public static final String STOPPED_FILE = "2026-12-01T02-00-00-000Z-kairos.snap";
    public static final String STOPPED_INTO = "kairos_restored";
    /** The copy Qdrant keeps of that restore's upload, as the restore names it. */
    public static final String STOPPED_UPLOAD = "restore-2026-12-01T02-00-00-000Z-kairos.snapshot";

    /**
     * An earlier process stopped during the upload of {@link #STOPPED_FILE} into {@link #STOPPED_INTO}: the run journal
     * has the restore going, and Qdrant lists the copy of its upload beside the copy another restore's left and a
     * snapshot of someone else's, after failing the first listing (503: not up yet); it deletes any.
     */
    public void restoreStopped() {
        listsSnapshots(STOPPED_INTO, STOPPED_UPLOAD, "restore-2026-11-01T02-00-00-000Z-kairos.snapshot",
                "theirs.snapshot");
        server.stubFor(authed(get(urlEqualTo("/collections/" + STOPPED_INTO + "/snapshots"))).atPriority(1)
                .inScenario("restore-stopped").whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
                .willSetStateTo("up").willReturn(error(503, "Service unavailable: starting")));
        deletesAnySnapshot(STOPPED_INTO);
        try {
            Files.writeString(directory.directory().resolve(".runs.journal"), "{\"id\":\"" + STOPPED_RUN + "\","
                    + "\"reason\":\"restore\",\"status\":\"running\",\"phase\":\"restoring\",\"startedAt\":"
                    + "\"2026-12-01T03:00:00Z\",\"durationMs\":0,\"bytesDone\":0,\"bytesExpected\":0,\"file\":\""
                    + STOPPED_FILE + "\",\"collection\":\"" + STOPPED_INTO + "\"}\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Qdrant saw the drops of the scratch collections {@link #scratchLeft} records: {@link #SCRATCH_LEFT} dropped, the
     * copy of its upload deleted before; one drop of {@link #SCRATCH_STUCK}, which failed; nothing of
     * {@link #SCRATCH_ELSEWHERE}.
     */
    public void assertScratchLeftDropped() {
        String left = "/collections/" + SCRATCH_LEFT;
        assertThat(requests("DELETE", left).stream().map(LoggedRequest::getUrl))
                .containsExactly(left + "?wait=true", // newest first
                        left + "/snapshots/restore-2026-12-01T02-00-00-000Z-kairos.snapshot?wait=true");
        assertThat(requests("DELETE", "/collections/" + SCRATCH_STUCK + "?")).hasSize(1);
        assertThat(requests("DELETE", "/collections/" + SCRATCH_ELSEWHERE)).isEmpty();
    }

    /**
     * {@code collection} exists with the vectors of the test snapshots in {@code shards} shards, so a restore may
     * overwrite it: Qdrant takes the upload (200 {@code true}) and the collection then counts {@link #POINTS} and holds
     * the sampled points. Its placement ({@code /cluster}) is left as it was.
     */
    public void restoresUploadsOver(String collection, int shards) {
        String c = encoded(collection);
        server.stubFor(authed(get(urlEqualTo("/collections/" + c + "/exists"))).willReturn(ok("{\"exists\":true}")));
        collectionInfoIs(collection, collectionInfo(SnapshotArchiveBuilder.VECTORS)
                .replace("\"shard_number\":1", "\"shard_number\":" + shards));
        listsSnapshots(collection);
        pointsCounted(collection, POINTS);
        server.stubFor(authed(post(urlPathEqualTo("/collections/" + c + "/snapshots/upload")))
                .withQueryParam("priority", equalTo("snapshot")).willReturn(ok("true")));
        server.stubFor(authed(post(urlEqualTo("/collections/" + c + "/points"))).willReturn(ok(retrieved(SAMPLE_IDS))));
    }

    /** What {@code POST /collections/{c}/points} answers when the points of these ids (a JSON list) are there. */
    private static String retrieved(String ids) {
        StringBuilder present = new StringBuilder("[");
        for (String id : ids.replaceAll("[\\[\\]]", "").split(",")) {
            if (!id.isBlank()) {
                present.append(present.length() > 1 ? "," : "").append("{\"id\":").append(id.strip()).append('}');
            }
        }
        return present.append(']').toString();
    }

    /** Dropping a collection whose name matches {@code collectionPattern} fails the way Qdrant does. */
    public void dropFails(String collectionPattern, int status, String error) {
        server.stubFor(authed(delete(urlPathMatching("/collections/" + collectionPattern))).willReturn(error(status,
                error)));
    }

    /** {@code GET /aliases} answers no alias, after {@code delayMillis}: a test acts while a run waits for it. */
    public void aliasesAnswerAfter(int delayMillis) {
        server.stubFor(authed(get(urlEqualTo("/aliases"))).willReturn(ok("{\"aliases\":[]}").withFixedDelay(delayMillis)));
    }

    /** {@code POST /collections/aliases} applies any alias actions: 200 {@code true}. */
    public void aliasesUpdated() {
        server.stubFor(authed(post(urlEqualTo("/collections/aliases"))).willReturn(ok("true")));
    }

    /** The info of a green collection of one shard with these vector params. */
    public static String collectionInfo(String vectors) {
        return "{\"status\":\"green\",\"optimizer_status\":\"ok\",\"points_count\":1234,\"segments_count\":2,"
                + "\"config\":{\"params\":{\"vectors\":" + vectors + ",\"shard_number\":1,\"replication_factor\":1},"
                + "\"hnsw_config\":{\"m\":16}},\"payload_schema\":{}}";
    }

    /** {@code GET /collections/{c}} answers this info from now on, whatever else the stand-in does with it. */
    public void collectionInfoIs(String collection, String info) {
        server.stubFor(authed(get(urlEqualTo("/collections/" + encoded(collection)))).willReturn(ok(info)));
    }

    /** The upload of a snapshot to {@code collection} fails the way Qdrant does: the JSON error envelope. */
    public void uploadFails(String collection, int status, String error) {
        server.stubFor(authed(post(urlPathEqualTo("/collections/" + encoded(collection) + "/snapshots/upload")))
                .atPriority(1).willReturn(error(status, error)));
    }

    /** The version {@code GET /} reports. */
    public void version(String version) {
        server.stubFor(get(urlEqualTo("/")).atPriority(1).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(VERSION_INFO.replace("\"1.19.0\"", "\"" + version + "\""))));
    }

    private static ResponseDefinitionBuilder error(int status, String error) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody("{\"status\":{\"error\":\"" + jsonEscaped(error) + "\"},\"time\":0.000412}");
    }

    /** The exact point count every collection answers unless a test says otherwise. */
    public static final long POINTS = 1_234;

    /**
     * Qdrant has no collection of this name (a first deployment, a lost volume): its existence check says no, and its
     * info, snapshots and creates answer Qdrant's 404.
     */
    public void collectionMissing(String collection) {
        String c = encoded(collection);
        ResponseDefinitionBuilder missing = aResponse().withStatus(404).withHeader("Content-Type", "application/json")
                .withBody("{\"status\":{\"error\":\"Not found: Collection `" + jsonEscaped(collection)
                        + "` doesn't exist!\"},\"time\":0.000412}");
        server.stubFor(authed(get(urlPathMatching("/collections/" + c + "(/.*)?"))).willReturn(missing));
        server.stubFor(authed(post(urlPathMatching("/collections/" + c + "/.*"))).willReturn(missing));
        // the last stub of a priority wins: the existence check is never a 404
        server.stubFor(authed(get(urlEqualTo("/collections/" + c + "/exists"))).willReturn(ok("{\"exists\":false}")));
    }

    public void collectionExists(String collection) {
        server.stubFor(authed(get(urlEqualTo("/collections/" + encoded(collection) + "/exists")))
                .willReturn(ok("{\"exists\":true}")));
        server.stubFor(authed(get(urlEqualTo("/collections/" + encoded(collection)))).willReturn(ok(COLLECTION_INFO)));
        server.stubFor(authed(get(urlEqualTo("/collections/" + encoded(collection) + "/cluster"))).willReturn(ok(
                "{\"peer_id\":" + PEER_ID + ",\"shard_count\":1,\"local_shards\":[" + shard(0, null, "Active")
                        + "],\"remote_shards\":[],\"shard_transfers\":[]}")));
        listsSnapshots(collection);
        pointsCounted(collection, POINTS);
        StringBuilder points = new StringBuilder();
        for (String id : SAMPLE_IDS.replaceAll("[\\[\\]]", "").split(",")) {
            points.append(points.length() > 0 ? "," : "").append("{\"id\":").append(id.strip())
                    .append(",\"payload\":null,\"vector\":null}");
        }
        server.stubFor(authed(post(urlEqualTo("/collections/" + encoded(collection) + "/points/scroll")))
                .willReturn(ok("{\"points\":[" + points + "],\"next_page_offset\":4}")));
    }

    /** The ids of the points a scroll of any existing collection returns first: integers and a UUID, as Qdrant has. */
    public static final String SAMPLE_IDS = "[1,2,\"5c56c793-69f3-4fbf-87e6-c4bf54c28c26\"]";

    /**
     * {@code POST /collections/{c}/points/count} (exact) answers these counts in turn, the last one from then on: two
     * counts are a write landing between the count before a snapshot and the count after it.
     */
    public void pointsCounted(String collection, long... counts) {
        String path = "/collections/" + encoded(collection) + "/points/count";
        String scenario = "count " + collection;
        for (int i = 0; i < counts.length; i++) {
            com.github.tomakehurst.wiremock.client.ScenarioMappingBuilder count = authed(post(urlEqualTo(path)))
                    .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.equalToJson("{\"exact\":true}"))
                    .inScenario(scenario)
                    .whenScenarioStateIs(i == 0 ? com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED : "count " + i);
            if (i + 1 < counts.length) {
                count = (com.github.tomakehurst.wiremock.client.ScenarioMappingBuilder) count
                        .willSetStateTo("count " + (i + 1));
            }
            server.stubFor(count.willReturn(ok("{\"count\":" + counts[i] + "}")));
        }
    }

    /** {@code GET /collections/{c}/snapshots} lists these names (Qdrant's order is unspecified). */
    public void listsSnapshots(String collection, String... names) {
        StringBuilder list = new StringBuilder("[");
        for (String name : names) {
            list.append(list.length() > 1 ? "," : "").append("{\"name\":\"").append(jsonEscaped(name))
                    .append("\",\"creation_time\":\"2026-11-24T00:15:00\",\"size\":4096,\"checksum\":\"")
                    .append("0".repeat(64)).append("\"}");
        }
        server.stubFor(authed(get(urlEqualTo("/collections/" + encoded(collection) + "/snapshots")))
                .willReturn(ok(list.append(']').toString())));
    }

    /** {@code DELETE /collections/{collection}} drops it: 200 {@code true}. */
    public void dropsCollection(String collection) {
        server.stubFor(authed(delete(urlPathEqualTo("/collections/" + encoded(collection)))).willReturn(ok("true")));
    }

    /** Qdrant deletes any snapshot of {@code collection} it is asked to (200 {@code true}). */
    public void deletesAnySnapshot(String collection) {
        server.stubFor(authed(delete(com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching(
                "/collections/" + encoded(collection) + "/snapshots/.+"))).willReturn(ok("true")));
    }

    public void alias(String alias, String collection) {
        server.stubFor(authed(get(urlEqualTo("/aliases"))).willReturn(ok(
                "{\"aliases\":[{\"alias_name\":\"other\",\"collection_name\":\"elsewhere\"},"
                        + "{\"alias_name\":\"" + alias + "\",\"collection_name\":\"" + collection + "\"}]}")));
        server.stubFor(
                authed(get(urlEqualTo("/collections/" + encoded(alias) + "/exists"))).willReturn(ok("{\"exists\":true}")));
        collectionExists(collection);
    }

    /** Qdrant creates, serves and deletes one snapshot of {@code collection} holding {@code body}. */
    public Snapshot snapshotServed(String collection, byte[] body) {
        Snapshot snapshot = describeSnapshot(collection, body);
        createAnswers(snapshot, snapshot.sha256(), (long) body.length);
        server.stubFor(authed(get(urlEqualTo(snapshot.downloadPath()))).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/octet-stream")
                .withHeader("Content-Disposition", "attachment; filename=\"" + snapshot.name() + "\"")
                .withHeader("Accept-Ranges", "bytes")
                .withBody(body)));
        server.stubFor(authed(delete(urlPathEqualTo(snapshot.downloadPath()))).willReturn(ok("true")));
        if (faulty != null) {
            faulty.plan(new FaultyDownloadServer.Plan(body, body.length, FaultyDownloadServer.Ending.CLOSE));
        }
        return snapshot;
    }

    public Snapshot describeSnapshot(String collection, byte[] body) {
        String name = collection + "-" + peerId + "-" + NAME_TIME.format(ZonedDateTime.now(ZoneOffset.UTC))
                + ".snapshot";
        return new Snapshot(collection, name, body, TestData.sha256(body));
    }

    /** The create call answers 200 with this description ({@code checksum} or {@code size} null: key omitted). */
    public void createAnswers(Snapshot snapshot, String checksum, Long size) {
        StringBuilder result = new StringBuilder("{\"name\":\"" + jsonEscaped(snapshot.name())
                + "\",\"creation_time\":\"2026-11-24T00:15:00\"");
        if (size != null) {
            result.append(",\"size\":").append(size);
        }
        if (checksum != null) {
            result.append(",\"checksum\":\"").append(checksum).append('"');
        }
        server.stubFor(authed(post(urlEqualTo("/collections/" + encoded(snapshot.collection()) + "/snapshots?wait=true")))
                .willReturn(ok(result.append('}').toString())));
    }

    /** The create call fails the way Qdrant does: the JSON error envelope. */
    public void createFails(String collection, int status, String error) {
        server.stubFor(authed(post(urlEqualTo("/collections/" + encoded(collection) + "/snapshots?wait=true")))
                .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                        .withBody("{\"status\":{\"error\":\"" + error + "\"},\"time\":0.000412}")));
    }

    public void createSlow(Snapshot snapshot, int delayMillis) {
        server.stubFor(authed(post(urlEqualTo("/collections/" + encoded(snapshot.collection()) + "/snapshots?wait=true")))
                .willReturn(ok("{\"name\":\"" + snapshot.name() + "\",\"creation_time\":null,\"size\":"
                        + snapshot.body().length + ",\"checksum\":\"" + snapshot.sha256() + "\"}")
                        .withFixedDelay(delayMillis)));
    }

    /** The download answers with a plain-text error, as actix does. */
    public void downloadFails(Snapshot snapshot, int status, String text) {
        server.stubFor(authed(get(urlEqualTo(snapshot.downloadPath()))).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "text/plain; charset=utf-8").withBody(text)));
    }

    public void downloadFault(Snapshot snapshot, Fault fault) {
        server.stubFor(authed(get(urlEqualTo(snapshot.downloadPath()))).willReturn(aResponse().withFault(fault)));
    }

    /**
     * Waits (at most 10 s) until this stand-in has received a whole request of {@code method} whose URL holds
     * {@code urlPart}: WireMock journals it before it answers, so a delayed answer is still to come.
     */
    public void awaitReceived(String method, String urlPart) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .pollInterval(java.time.Duration.ofMillis(20))
                .until(() -> server.getAllServeEvents().stream().map(event -> event.getRequest())
                        .anyMatch(r -> r.getMethod().getName().equals(method) && r.getUrl().contains(urlPart)));
    }

    public List<LoggedRequest> requests(String method, String pathPrefix) {
        return server.getAllServeEvents().stream().map(event -> event.getRequest())
                .filter(r -> r.getMethod().getName().equals(method) && r.getUrl().startsWith(pathPrefix))
                .map(LoggedRequest.class::cast)
                .toList();
    }

    /** Every snapshot create Qdrant received ({@code POST /collections/{c}/snapshots?...}), of any collection. */
    public List<LoggedRequest> creates() {
        return requests("POST", "/collections/").stream()
                .filter(r -> r.getUrl().contains("/snapshots?") || r.getUrl().endsWith("/snapshots")).toList();
    }

    private static MappingBuilder authed(MappingBuilder mapping) {
        return mapping.atPriority(1).withHeader("api-key", equalTo(API_KEY));
    }

    private static ResponseDefinitionBuilder ok(String resultJson) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"result\":" + resultJson + ",\"status\":\"ok\",\"time\":2.1199e-5}");
    }

    /** A JSON string's content, escaped as serde_json does (quotes, backslashes, control characters). */
    static String jsonEscaped(String text) {
        StringBuilder escaped = new StringBuilder();
        text.chars().forEach(c -> {
            if (c == '"' || c == '\\') {
                escaped.append('\\').append((char) c);
            } else if (c < 0x20) {
                escaped.append(String.format("\\u%04x", c));
            } else {
                escaped.append((char) c);
            }
        });
        return escaped.toString();
    }

    /** A path segment as a client must send it: Qdrant's collection names may hold spaces and more. */
    static String encoded(String segment) {
        return java.net.URLEncoder.encode(segment, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

}
