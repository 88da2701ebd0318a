package dev.snapshotter.cluster;

import static dev.snapshotter.support.ServiceApi.api;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.snapshotter.api.ListCommand;
import dev.snapshotter.restore.RestoreCommand;
import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.PackagedApp;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.S3Bucket;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.StandInCluster;
import dev.snapshotter.support.StandInPerTest;

import io.restassured.path.json.JsonPath;

/**
 * A backup set restored by another process than the one that took it, on three stand-in nodes: at the next one's boot
 * ({@code QDRANT_SNAPSHOT_RESTORE_IF_MISSING}: from the directory, from the bucket on a pod without a volume, and again
 * after a boot killed during it), by the {@code restore} command (which {@code list} lists it for),
 * or followed after a restart when the process was killed while Qdrant restored the set's last member; and the scratch
 * collection of a drill of it killed midway, dropped by the next process. Before, the boot
 * restore was tested against one node listed as a cluster only, and a killed restore and the command against one
 * standalone Qdrant only.
 */
@ExtendWith(StandInPerTest.class)
class ClusterSetRestartIT {

    private static final List<String> MEMBERS = List.of(StandInCluster.PEER_A, StandInCluster.PEER_B);

    @InjectQdrant
    StandInCluster cluster;

    @InjectQdrant
    SnapshotDir dir;

    /**
     * Every node lost the collection (a cluster rebuilt on empty volumes): the boot restores the newest backup, a set,
     * before startup goes UP, one member to each node that took it, with its checksum; it takes no boot snapshot of the
     * restored data.
     */
    @Test
    void aClusterThatLostTheCollectionIsRestoredFromTheNewestSetBeforeStartupGoesUp() throws Exception {
        JsonPath set = takeSet();
        String name = Path.of(set.getString("targets[0].filePath")).getFileName().toString();
        List<String> sha256 = set.getList("targets[0].members.sha256");
        cluster.restoresSet(QdrantStandIn.COLLECTION, name, MEMBERS, "[]");
        List<Integer> createsBefore = creates();
        assertThat(createsBefore.subList(0, 2)).as("the set's creates").allMatch(count -> count == 1);

        try (PackagedApp.Running second = PackagedApp.start(cluster.appEnvironment(Map.of(
                "QDRANT_SNAPSHOT_RESTORE_IF_MISSING", "true", "QDRANT_SNAPSHOT_ON_START", "true")))) {
            second.awaitStarted();
            api(second).get("/q/health/started").then()
                    .body("checks[0].data.restore", equalTo("completed"))
                    .body("checks[0].data.restoreMessage", startsWith("Collection `kairos` was missing on Qdrant; "
                            + "restored `kairos` from " + name))
                    .body("checks[0].data.restoreMessage", containsString("no boot snapshot of the restored data"))
                    .body("checks[0].data.status", equalTo("skipped"));
            for (int i = 0; i < 2; i++) {
                List<LoggedRequest> uploads = cluster.node(i).requests("POST", "/collections/kairos/snapshots/upload");
                assertThat(uploads).as("node %s", i).hasSize(1);
                assertThat(uploads.get(0).queryParameter("checksum").firstValue()).isEqualTo(sha256.get(i));
                assertThat(uploads.get(0).queryParameter("priority").firstValue()).isEqualTo("snapshot");
            }
            assertThat(cluster.node(2).requests("POST", "/collections/kairos/snapshots/upload")).isEmpty();
            assertThat(creates()).as("no boot snapshot of the restored data").isEqualTo(createsBefore);
        }
    }

    /**
     * A pod without a volume ({@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false}): the set a process took went off-site and
     * left the directory; the next pod, on an empty directory, finds the collection lost on every node and restores
     * the set from the bucket at boot (each member fetched, checked, then uploaded to the node that took it).
     */
    @Test
    @EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
    void aPodWithoutAVolumeRestoresTheNewestSetFromTheBucketAtBoot(@TempDir Path emptyDirectory) throws Exception {
        try (S3Bucket bucket = S3Bucket.under(S3Bucket.freshPrefix())) {
            Map<String, String> offsite = new HashMap<>(bucket.appEnvironment());
            offsite.put("QDRANT_SNAPSHOT_S3_KEEP_LOCAL", "false");
            String name;
            try (PackagedApp.Running first = PackagedApp.start(cluster.appEnvironment(offsite))) {
                first.awaitStarted();
                JsonPath set = api(first).post("/api/snapshot").then().statusCode(200).extract().jsonPath();
                name = Path.of(set.getString("targets[0].filePath")).getFileName().toString();
                assertThat(set.getString("targets[0].offsite.status")).isEqualTo("completed");
            }
            assertThat(bucket.keys()).anyMatch(key -> key.startsWith("kairos/" + name + "/"));
            cluster.restoresSet(Pattern.quote(QdrantStandIn.COLLECTION), name, MEMBERS, "[]");

            offsite.putAll(Map.of("QDRANT_SNAPSHOT_DIR", emptyDirectory.toString(),
                    "QDRANT_SNAPSHOT_RESTORE_IF_MISSING", "true", "QDRANT_SNAPSHOT_ON_START", "true"));
            try (PackagedApp.Running second = PackagedApp.start(cluster.appEnvironment(offsite))) {
                second.awaitStarted();
                api(second).get("/q/health/started").then()
                        .body("checks[0].data.restore", equalTo("completed"))
                        .body("checks[0].data.restoreMessage", startsWith("Collection `kairos` was missing on "
                                + "Qdrant; restored `kairos` from " + name));
                assertThat(uploads()).isEqualTo(List.of(1, 1, 0));
            }
        }
    }

    /**
     * The boot's restore of a set whose last member Qdrant restores for longer than {@code QDRANT_SNAPSHOT_TIMEOUT}:
     * the collection is kept, startup stays DOWN while that node restores it, and once its restore ended the boot takes
     * the set as restored, uploading nothing again. Before, the boot's restore dropped the collection it had created,
     * so the last member's restore could leave only its own shards; the boot then found it not whole and restored the
     * whole set again, which timed out again: the app beside it never started.
     */
    @Test
    void aBootRestoreOfASetWhoseLastMemberOutlastsTheTimeoutIsTakenAsRestoredOnceQdrantEndsIt() throws Exception {
        String name = Path.of(takeSet().getString("targets[0].filePath")).getFileName().toString();
        cluster.restoresSet(Pattern.quote(QdrantStandIn.COLLECTION), name, MEMBERS, "[]");
        String last = StandInCluster.uploadName(name, StandInCluster.PEER_B);
        cluster.node(1).restoreGoesOn(QdrantStandIn.COLLECTION, last, 1_500, 1000);
        cluster.node(0).pointsCounted(QdrantStandIn.COLLECTION, 1000); // part of the set, while B restores its member

        try (PackagedApp.Running second = PackagedApp.start(cluster.appEnvironment(Map.of(
                "QDRANT_SNAPSHOT_RESTORE_IF_MISSING", "true", "QDRANT_SNAPSHOT_ON_START", "true",
                "QDRANT_SNAPSHOT_TIMEOUT", "1s")))) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> api(second)
                    .get("/q/health/started").then().statusCode(503).body("checks[0].data.restoreMessage",
                            containsString("Qdrant goes on restoring " + name + " into collection `kairos`")));
            assertThat(cluster.node(0).requests("DELETE", "/collections/kairos?")).as("kept").isEmpty();

            cluster.node(1).restoreEnds(QdrantStandIn.COLLECTION);
            cluster.node(0).pointsCounted(QdrantStandIn.COLLECTION, QdrantStandIn.POINTS);
            second.awaitStarted();
            api(second).get("/q/health/started").then()
                    .body("checks[0].data.restore", equalTo("completed"))
                    .body("checks[0].data.restoreMessage", containsString("was restored by Qdrant after the boot's "
                            + "upload of " + name + " got no answer in time"))
                    .body("checks[0].data.restoreMessage", containsString("taken as restored"));
            assertThat(uploads()).as("nothing uploaded again").isEqualTo(List.of(1, 1, 0));
        }
    }

    /**
     * The boot's restore of the set killed (a startup probe's kill, an eviction) while the last member's node, which has
     * that member whole, restores it: the next boot finds the collection beside the record of that restore, checks it
     * against the set, and once it holds the set whole takes it as restored, dropping nothing and uploading nothing again.
     */
    @Test
    void aBootRestoreOfASetKilledOnceItsLastMemberWasWholeIsTakenAsRestoredByTheNextBoot() throws Exception {
        String name = Path.of(takeSet().getString("targets[0].filePath")).getFileName().toString();
        String collection = QdrantStandIn.COLLECTION;
        cluster.restoresSet(Pattern.quote(collection), name, MEMBERS, "[]");
        String last = StandInCluster.uploadName(name, StandInCluster.PEER_B);
        cluster.node(1).restoreGoesOn(collection, last, 15_000, 1000);
        Map<String, String> environment = cluster.appEnvironment(Map.of("QDRANT_SNAPSHOT_RESTORE_IF_MISSING", "true",
                "QDRANT_SNAPSHOT_ON_START", "true"));
        Path record = dir.directory().resolve(".boot-restore.json");

        try (PackagedApp.Running second = PackagedApp.start(environment)) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> cluster.node(1)
                    .requests("POST", "/collections/kairos/snapshots/upload").size() == 1 && Files.exists(record));
            second.process().destroyForcibly().waitFor();
        }
        cluster.node(1).restoreEnds(collection);
        List<Integer> uploadsBefore = uploads();

        try (PackagedApp.Running third = PackagedApp.start(environment)) {
            third.awaitStarted();
            api(third).get("/q/health/started").then()
                    .body("checks[0].data.restore", equalTo("completed"))
                    .body("checks[0].data.restoreMessage", startsWith("Collection `kairos` was left by a boot's "
                            + "restore that did not end (started "))
                    .body("checks[0].data.restoreMessage", containsString("taken as restored; no boot snapshot of "
                            + "the restored data"));
            assertThat(uploads()).as("nothing uploaded again").isEqualTo(uploadsBefore);
            for (QdrantStandIn node : cluster.nodes()) {
                assertThat(node.requests("DELETE", "/collections/kairos?")).as("nothing dropped").isEmpty();
            }
            assertThat(record).doesNotExist();
        }
    }

    /**
     * Killed (an eviction) while the last member's node, which has that member whole, restores it for a long time:
     * the restart follows Qdrant's restore on every node's telemetry, and the run turns completed once no node tells
     * of one going and the collection holds the set whole. Before, the check that found it whole, asked without
     * aliases into another collection than {@code QDRANT_COLLECTION}, failed on the set's aliases left unset (a
     * {@code NullPointerException} logged as an ERROR each second, for good, and the run left failed), as did that of
     * a set restore over an existing collection that Qdrant did not answer in time.
     */
    @Test
    void aSetRestoreTheProcessWasKilledDuringIsFollowedAfterTheRestart() throws Exception {
        String target = "kairos_restored";
        String name = Path.of(takeSet().getString("targets[0].filePath")).getFileName().toString();
        cluster.restoresSet(Pattern.quote(target), name, MEMBERS, "[]"); // the scenario restoreGoesOn names
        String last = StandInCluster.uploadName(name, StandInCluster.PEER_B);
        cluster.node(1).restoreGoesOn(target, last, 15_000, 1000);

        String id;
        Path record = dir.directory().resolve(".unanswered-restores.json");
        try (PackagedApp.Running second = PackagedApp.start(cluster.appEnvironment(Map.of()))) {
            second.awaitStarted();
            id = api(second).header("Prefer", "respond-async").contentType("application/json")
                    .body("{\"collection\":\"" + target + "\",\"aliases\":false}")
                    .post("/api/snapshots/" + name + "/restore").then().statusCode(202).extract().path("id");
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> cluster.node(1)
                    .requests("POST", "/collections/" + target + "/snapshots/upload").size() == 1
                    && Files.exists(record) && Files.readString(record).contains(id));
            second.process().destroyForcibly().waitFor();
        }

        try (PackagedApp.Running third = PackagedApp.start(cluster.appEnvironment(Map.of()))) {
            third.awaitStarted();
            Thread.sleep(6_000); // a check while node B tells of its restore going
            api(third).get("/api/runs/" + id).then().statusCode(200).body("status", equalTo("failed"));
            cluster.node(1).restoreEnds(target);
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> api(third).get("/api/runs/" + id)
                    .then().statusCode(200).body("status", equalTo("completed")));
            api(third).get("/api/runs/" + id).then()
                    .body("report.pointsFound", equalTo((int) QdrantStandIn.POINTS))
                    .body("report.message", containsString("Qdrant's restore of " + name + " into collection `"
                            + target + "`, which run " + id + " had uploaded whole when the process stopped, ended: "
                            + "collection `" + target + "` holds it whole"));
            assertThat(record).doesNotExist();
        }
    }

    /**
     * The commands with the newest backup a set: {@code list} lists it as one backup with its members, and
     * {@code restore} restores it into the cluster, one member to each node that took it, and exits with the code of a
     * restore that completed.
     */
    @Test
    void theCommandsListAndRestoreTheNewestSet() throws Exception {
        String name = Path.of(takeSet().getString("targets[0].filePath")).getFileName().toString();
        cluster.restoresSet("kairos_dr", name, MEMBERS, "[]");

        PackagedApp.Exit list = PackagedApp.runUntilExit(cluster.appEnvironment(Map.of()), "list");
        assertThat(list.code()).as(list.output()).isEqualTo(ListCommand.LISTED);
        assertThat(list.output()).contains("\"file\" : \"" + name + "\"").contains("\"kind\" : \"set\"")
                .contains("\"file\" : \"" + StandInCluster.PEER_A + ".snap\"")
                .contains("\"file\" : \"" + StandInCluster.PEER_B + ".snap\"");

        PackagedApp.Exit exit = PackagedApp.runUntilExit(cluster.appEnvironment(Map.of()), "restore", "--latest",
                "--collection", "kairos_dr");

        assertThat(exit.code()).as(exit.output()).isEqualTo(RestoreCommand.RESTORED);
        assertThat(exit.output()).contains("\"status\" : \"completed\"").contains("\"file\" : \"" + name + "\"")
                .contains("\"pointsFound\" : " + QdrantStandIn.POINTS).doesNotContain("Listening on: http");
        assertThat(uploads("kairos_dr")).isEqualTo(List.of(1, 1, 0));
    }

    /**
     * A drill of the set killed (an eviction) while the drill Qdrant restores its first member: the next process drops
     * the scratch collection the drill left, once its boot has settled, and deletes the copy of the upload Qdrant kept.
     */
    @Test
    void theScratchCollectionOfADrillOfASetKilledMidwayIsDroppedByTheNextProcess() throws Exception {
        String name = Path.of(takeSet().getString("targets[0].filePath")).getFileName().toString();
        String scratch = "drill-kairos-\\d{8}-\\d{6}";
        cluster.drillTakesSet(name, MEMBERS, true);
        String first = StandInCluster.uploadName(name, StandInCluster.PEER_A);
        cluster.drill().restoresUploadsTo(scratch, QdrantStandIn.POINTS, first, 15_000, QdrantStandIn.SAMPLE_IDS);
        Map<String, String> environment = cluster.appEnvironment(Map.of("QDRANT_DRILL_URL", cluster.drill().url()));
        Path record = dir.directory().resolve(".drills.json");

        try (PackagedApp.Running second = PackagedApp.start(environment)) {
            second.awaitStarted();
            api(second).header("Prefer", "respond-async").contentType("application/json").body("{}").post("/api/drill")
                    .then().statusCode(202);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(record)
                    && Files.readString(record).contains("drill-kairos-") && !cluster.drill()
                            .requests("POST", "/collections/drill-kairos-").isEmpty());
            second.process().destroyForcibly().waitFor();
        }
        String left = Files.readString(record).replaceAll("(?s).*(drill-kairos-\\d{8}-\\d{6}).*", "$1");

        try (PackagedApp.Running third = PackagedApp.start(environment)) {
            third.awaitStarted();
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                    cluster.drill().requests("DELETE", "/collections/" + left + "?")).isNotEmpty());
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(Files.readString(record)).doesNotContain(left));
            assertThat(cluster.drill().requests("DELETE", "/collections/" + left + "/snapshots/restore-"))
                    .as("the copy of the upload Qdrant kept").isNotEmpty();
            assertThat(third.output()).contains("Dropped collection `" + left + "`");
        }
    }

    /** A set of {@code kairos} taken by a process of its own: its report. */
    private JsonPath takeSet() throws Exception {
        try (PackagedApp.Running first = PackagedApp.start(cluster.appEnvironment(Map.of()))) {
            first.awaitStarted();
            JsonPath set = api(first).post("/api/snapshot").then().statusCode(200).extract().jsonPath();
            assertThat(set.getString("targets[0].filePath")).endsWith(".set");
            assertThat(set.getList("targets[0].members")).hasSize(2); // A holds shards 0 and 2, B shard 1 (and 0)
            return set;
        }
    }

    /** How many uploads into {@code kairos} each node has taken so far. */
    private List<Integer> uploads() {
        return uploads(QdrantStandIn.COLLECTION);
    }

    /** How many uploads into {@code collection} each node has taken so far. */
    private List<Integer> uploads(String collection) {
        return cluster.nodes().stream()
                .map(node -> node.requests("POST", "/collections/" + collection + "/snapshots/upload").size()).toList();
    }

    /** How many snapshots of {@code kairos} each node was asked to create so far. */
    private List<Integer> creates() {
        return cluster.nodes().stream()
                .map(node -> node.requests("POST", "/collections/kairos/snapshots?wait=true").size()).toList();
    }
}
