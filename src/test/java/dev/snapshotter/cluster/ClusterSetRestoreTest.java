package dev.snapshotter.cluster;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotArchiveBuilder;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.StandInCluster;
import dev.snapshotter.support.WithStandInCluster;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/**
 * A backup set restored into the cluster (one member per node, one node at a time, {@code priority=snapshot}, then
 * every shard Active and the count checked) and drilled on a single-node cluster; a standalone drill Qdrant refuses
 * a set.
 */
@QuarkusTest
@WithStandInCluster(config = @ResourceArg(name = "qdrant.cluster.settle-timeout", value = "2s"), drillNode = true)
@ExtendWith(SecretsStayHidden.class)
class ClusterSetRestoreTest {

    @InjectQdrant
    StandInCluster cluster;

    @BeforeEach
    void resetCluster() {
        cluster.reset();
    }

    private static RequestSpecification api() {
        return given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN).contentType("application/json");
    }

    private JsonPath takeSet() {
        return ServiceApi.trigger().then().statusCode(200).extract().jsonPath();
    }

    /**
     * A set taken of {@code kairos}; then the nodes serve new snapshots (a safety set can be taken) and take uploads
     * over {@code kairos}. Returns the set's name.
     */
    private String setToOverwriteWith() throws InterruptedException {
        String name = Path.of(takeSet().getString("targets[0].filePath")).getFileName().toString();
        Thread.sleep(1_100); // Qdrant names two snapshots of one second alike
        cluster.serveSnapshots();
        cluster.nodes().forEach(node -> node.restoresUploadsOver("kairos", 3));
        return name;
    }

    @Test
    void aSetIsRestoredIntoTheClusterOneMemberPerNode() {
        JsonPath set = takeSet();
        String name = Path.of(set.getString("targets[0].filePath")).getFileName().toString();
        List<String> sha256 = set.getList("targets[0].members.sha256");
        cluster.restoresSet("kairos-restored", name, List.of(StandInCluster.PEER_A, StandInCluster.PEER_B), "[]");

        api().body("{\"collection\":\"kairos-restored\"}").post("/api/snapshots/" + name + "/restore").then()
                .statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("completed"))
                .body("file", org.hamcrest.Matchers.equalTo(name))
                .body("pointsFound", org.hamcrest.Matchers.equalTo((int) QdrantStandIn.POINTS))
                .body("uploadedCopyDeleted", org.hamcrest.Matchers.equalTo(true));

        for (int i = 0; i < 2; i++) {
            List<LoggedRequest> uploads = cluster.node(i).requests("POST",
                    "/collections/kairos-restored/snapshots/upload");
            assertThat(uploads).hasSize(1);
            assertThat(uploads.get(0).queryParameter("priority").firstValue()).isEqualTo("snapshot");
            assertThat(uploads.get(0).queryParameter("checksum").firstValue()).isEqualTo(sha256.get(i));
        }
        assertThat(cluster.node(2).requests("POST", "/collections/kairos-restored/snapshots/upload")).isEmpty();
    }

    /** Overwriting the cluster's collection first backs it up whole: a set, taken before any member is uploaded. */
    @Test
    void overwritingTheCollectionTakesASetOfItFirst() throws Exception {
        String name = setToOverwriteWith();

        String safety = api().body("{\"overwrite\":true}").post("/api/snapshots/" + name + "/restore").then()
                .statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("completed"))
                .extract().path("safetySnapshot");

        assertThat(safety).isNotEqualTo(name).endsWith("-kairos.set");
        Path taken = cluster.directory().directory().resolve(safety);
        assertThat(taken.resolve(StandInCluster.PEER_A + ".snap")).exists();
        assertThat(taken.resolve(StandInCluster.PEER_B + ".snap")).exists();
        for (int i = 0; i < 2; i++) {
            List<String> posts = cluster.node(i).requests("POST", "/collections/kairos/snapshots").stream()
                    .map(LoggedRequest::getUrl).toList(); // newest first
            assertThat(posts.get(0)).startsWith("/collections/kairos/snapshots/upload");
            assertThat(posts.get(1)).isEqualTo("/collections/kairos/snapshots?wait=true");
        }
    }

    /** A dry run of a set's overwrite checks the members and the nodes, uploads nothing and takes no set first. */
    @Test
    void aDryRunOfASetChecksTheMembersAndTheNodesAndUploadsNothing() {
        String name = Path.of(takeSet().getString("targets[0].filePath")).getFileName().toString();
        cluster.nodes().forEach(node -> node.restoresUploadsOver("kairos", 3));
        List<Integer> creates = cluster.nodes().stream().map(node -> node.creates().size()).toList();

        api().body("{\"overwrite\":true,\"dryRun\":true}").post("/api/snapshots/" + name + "/restore").then()
                .statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("checked"))
                .body("overwritten", org.hamcrest.Matchers.equalTo(true))
                .body("pointsExpected", org.hamcrest.Matchers.equalTo((int) QdrantStandIn.POINTS))
                .body("message", org.hamcrest.Matchers.startsWith("Dry run: every check before the upload passed "
                        + "and nothing was uploaded; a restore would overwrite collection `kairos` from " + name));

        for (int i = 0; i < cluster.nodes().size(); i++) {
            assertThat(cluster.node(i).requests("POST", "/collections/kairos/snapshots/upload")).isEmpty();
            assertThat(cluster.node(i).creates()).hasSize(creates.get(i));
        }
    }

    /**
     * A cancel that comes once the first member is restored does not stop the set: every member is restored, so no
     * collection is left with some shards restored and others not. The cancel is refused with 409, and the run
     * completes as if it had not been asked.
     */
    @Test
    void aCancelAfterTheFirstMemberIsRestoredRestoresTheWholeSet() throws Exception {
        String name = Path.of(takeSet().getString("targets[0].filePath")).getFileName().toString();
        cluster.restoresSet("kairos-restored", name, List.of(StandInCluster.PEER_A, StandInCluster.PEER_B), "[]");
        cluster.node(0).restoresUploadsTo("kairos-restored", QdrantStandIn.POINTS,
                StandInCluster.uploadName(name, StandInCluster.PEER_A), 3_000, QdrantStandIn.SAMPLE_IDS);

        String id = ServiceApi.restoreAsync(name, "{\"collection\":\"kairos-restored\"}").then().statusCode(202)
                .extract().path("id");
        cluster.node(0).awaitReceived("POST", "/snapshots/upload"); // node A has the first member whole, restoring it
        api().delete("/api/runs/" + id).then().statusCode(409).body("detail",
                org.hamcrest.Matchers.containsString("can no longer be stopped: Qdrant has the snapshot whole"));

        JsonPath run = ServiceApi.finishedRun(id);
        assertThat(run.getString("status")).isEqualTo("completed");
        assertThat(run.getString("cancelledBy")).isNull();
        assertThat(run.getString("report.status")).isEqualTo("completed");
        for (int i = 0; i < 2; i++) {
            assertThat(cluster.node(i).requests("POST", "/collections/kairos-restored/snapshots/upload")).hasSize(1);
        }
    }

    /**
     * A member that grows once the first member is restored (something writing where nothing may) fails the restore,
     * saying which member changed, not that the node could not be reached; that node gets no whole upload. The
     * collection the restore created, with part of the shards, is dropped again: nothing of the restore is left.
     */
    @Test
    void aMemberThatGrowsAfterTheFirstIsRestoredFailsTheRestoreNamingIt() throws Exception {
        Path directory = Path.of(takeSet().getString("targets[0].filePath"));
        String name = directory.getFileName().toString();
        Path member = directory.resolve(StandInCluster.PEER_B + ".snap");
        long size = Files.size(member);
        cluster.restoresSet("kairos-restored", name, List.of(StandInCluster.PEER_A, StandInCluster.PEER_B), "[]");
        cluster.node(0).restoresUploadsTo("kairos-restored", QdrantStandIn.POINTS,
                StandInCluster.uploadName(name, StandInCluster.PEER_A), 1_500, QdrantStandIn.SAMPLE_IDS);

        String id = ServiceApi.restoreAsync(name, "{\"collection\":\"kairos-restored\"}").then().statusCode(202)
                .extract().path("id");
        cluster.node(0).awaitReceived("POST", "/snapshots/upload"); // node A has the first member whole, restoring it
        Files.write(member, new byte[4096], StandardOpenOption.APPEND);

        JsonPath run = ServiceApi.finishedRun(id);
        assertThat(run.getString("report.status")).isEqualTo("failed");
        assertThat(run.getString("report.message")).startsWith("The upload of " + StandInCluster.PEER_B + ".snap "
                + "failed: " + name + "/" + StandInCluster.PEER_B + ".snap could not be read: it has more than the "
                + size + " bytes announced for its upload (it changed since it was listed); Qdrant had restored 1 of "
                + "the set's 2 members into collection `kairos-restored` (" + StandInCluster.PEER_A + ".snap), which this "
                + "restore had created: it is dropped again, so nothing of the restore is left");
        assertThat(cluster.node(1).requests("POST", "/collections/kairos-restored/snapshots/upload")).isEmpty();
        assertThat(cluster.node(0).requests("DELETE", "/collections/kairos-restored")).extracting(LoggedRequest::getUrl)
                .contains("/collections/kairos-restored?wait=true");
    }

    /**
     * Overwriting the collection from a set whose second member Qdrant fails to take: the report says which members
     * were restored, that the collection is incomplete, and which backup taken first holds what it held before.
     */
    @Test
    void anOverwriteThatFailsAfterTheFirstMemberSaysTheCollectionIsIncompleteAndHowToGoBack() throws Exception {
        String name = setToOverwriteWith();
        cluster.node(1).uploadFails("kairos", 500, "Service internal error: No space left on device (os error 28)");

        JsonPath report = api().body("{\"overwrite\":true}").post("/api/snapshots/" + name + "/restore").then()
                .statusCode(502).extract().jsonPath();

        assertThat(report.getString("status")).isEqualTo("failed");
        String safety = report.getString("safetySnapshot");
        assertThat(safety).endsWith("-kairos.set").isNotEqualTo(name);
        assertThat(report.getString("message")).startsWith("The upload of " + StandInCluster.PEER_B + ".snap to "
                + cluster.node(1).url() + " failed: Qdrant answered 500 to upload snapshot ")
                .contains("No space left on device (os error 28)")
                .contains("; Qdrant had restored 1 of the set's 2 members into collection `kairos` ("
                        + StandInCluster.PEER_A + ".snap), so it is incomplete: restore the set again with overwrite, "
                        + "or restore " + safety + " (taken of it first) with overwrite to go back");
    }

    /**
     * A set restored into a new collection, whose second member a node refuses, and the collection then cannot be
     * dropped: the report says the collection is incomplete, why it stays, and what to do.
     */
    @Test
    void anIncompleteCollectionThatCannotBeDroppedIsNamedWithWhatToDo() {
        String name = Path.of(takeSet().getString("targets[0].filePath")).getFileName().toString();
        cluster.restoresSet("kairos-restored", name, List.of(StandInCluster.PEER_A, StandInCluster.PEER_B), "[]");
        cluster.node(1).uploadFails("kairos-restored", 500, "Service internal error: No space left on device");
        cluster.node(0).dropFails("kairos-restored", 500, "Service internal error: consensus timeout");

        api().body("{\"collection\":\"kairos-restored\"}").post("/api/snapshots/" + name + "/restore").then()
                .statusCode(502)
                .body("status", org.hamcrest.Matchers.equalTo("failed"))
                .body("message", containsString("; Qdrant had restored 1 of the set's 2 members into collection "
                        + "`kairos-restored` (" + StandInCluster.PEER_A + ".snap), so it is incomplete, and dropping it "
                        + "failed (Qdrant answered 500 to delete collection `kairos-restored`"))
                .body("message", containsString("consensus timeout"))
                .body("message", containsString("): drop it, then restore the set again"));
    }

    /**
     * A set restored into a new collection, whose last member's upload a proxy in front of the node answers 504 once
     * the node has all of it: the node goes on restoring it whatever the client does, and that restore completes the
     * set, so the collection is kept (the first member restored into it), the report says so, and the service follows
     * the nodes' restores: once none is going and the collection holds the set whole, the run turns completed. Before,
     * the collection was dropped, so the last member's restore could only leave its own shards (and a boot's restore
     * of such a set went round for good); before that, the report said that nothing of the restore was left.
     */
    @Test
    void aLastMemberAProxyTimedOutKeepsTheCollectionAndTheRunTurnsCompletedOnceQdrantsRestoreEnds() {
        String name = Path.of(takeSet().getString("targets[0].filePath")).getFileName().toString();
        String target = "kairos-restored";
        cluster.restoresSet(Pattern.quote(target), name, List.of(StandInCluster.PEER_A, StandInCluster.PEER_B), "[]");
        String last = StandInCluster.uploadName(name, StandInCluster.PEER_B);
        cluster.node(1).restoreGoesOn(target, last, 0, 1000);
        cluster.node(1).server().stubFor(post(urlPathEqualTo("/collections/" + target + "/snapshots/upload"))
                .atPriority(1).inScenario("restore " + Pattern.quote(target)).willSetStateTo("restoring")
                .willReturn(aResponse().withStatus(504).withHeader("Content-Type", "text/html")
                        .withBody("<html><body><h1>504 Gateway Time-out</h1></body></html>")));

        io.restassured.response.Response response = api().body("{\"collection\":\"" + target + "\"}")
                .post("/api/snapshots/" + name + "/restore");
        response.then()
                .statusCode(502)
                .body("status", org.hamcrest.Matchers.equalTo("failed"))
                .body("qdrantStillRestoring", org.hamcrest.Matchers.equalTo(true))
                .body("message", containsString(". Qdrant had all of " + name + "/" + StandInCluster.PEER_B
                        + ".snap, and restores it in a task that neither a timeout nor a closed connection stops: "
                        + "collection `" + target + "` may yet be written with it, unchecked by this restore"))
                .body("message", containsString("; Qdrant had restored 1 of the set's 2 members into collection `"
                        + target + "` (" + StandInCluster.PEER_A + ".snap), and its restore of the last completes the "
                        + "set: the collection is kept"));
        assertThat(cluster.node(0).requests("DELETE", "/collections/" + target + "?")).as("kept").isEmpty();

        // the service follows the nodes' restores (every node's telemetry): the last member's goes on, then ends
        String run = response.header("Link").substring(1, response.header("Link").indexOf('>'));
        api().get(run).then().statusCode(200).body("report.qdrantStillRestoring", org.hamcrest.Matchers.equalTo(true));
        cluster.node(1).restoreEnds(target);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() -> api().get(run)
                .then().statusCode(200).body("status", org.hamcrest.Matchers.equalTo("completed")));
        api().get(run).then().body("report.message", containsString("Qdrant's restore of " + name
                + " into collection `" + target + "`, which run " + run.substring("/api/runs/".length())
                + " uploaded and Qdrant did not answer in time, ended: collection `" + target + "` holds it whole"));
    }

    /** A first member that grows before its upload is refused as the single snapshot is: Qdrant restored nothing. */
    @Test
    void aFirstMemberThatGrowsBeforeItsUploadIsRefused() throws Exception {
        Path directory = Path.of(takeSet().getString("targets[0].filePath"));
        String name = directory.getFileName().toString();
        Path member = directory.resolve(StandInCluster.PEER_A + ".snap");
        cluster.restoresSet("kairos-restored", name, List.of(StandInCluster.PEER_A, StandInCluster.PEER_B), "[]");
        cluster.node(0).server().resetRequests();
        cluster.node(0).aliasesAnswerAfter(1_500); // the members are verified; the checks of the nodes wait here

        String id = ServiceApi.restoreAsync(name, "{\"collection\":\"kairos-restored\"}").then().statusCode(202)
                .extract().path("id");
        cluster.node(0).awaitReceived("GET", "/aliases");
        Files.write(member, new byte[4096], StandardOpenOption.APPEND);

        JsonPath run = ServiceApi.finishedRun(id);
        assertThat(run.getString("status")).isEqualTo("failed");
        assertThat(run.getString("message")).startsWith("Restore refused: " + name + "/" + StandInCluster.PEER_A
                + ".snap could not be read: it has more than the ");
        for (int i = 0; i < 3; i++) {
            assertThat(cluster.node(i).requests("POST", "/collections/kairos-restored/snapshots/upload")).isEmpty();
        }
    }

    @Test
    void aSetWithAMemberChangedOnDiskIsRefusedAndNothingIsUploaded() throws Exception {
        JsonPath set = takeSet();
        Path directory = Path.of(set.getString("targets[0].filePath"));
        String name = directory.getFileName().toString();
        Path member = directory.resolve(StandInCluster.PEER_B + ".snap");
        byte[] bytes = Files.readAllBytes(member);
        bytes[bytes.length / 2] ^= 1;
        Files.write(member, bytes);
        cluster.restoresSet("kairos-restored", name, List.of(StandInCluster.PEER_A, StandInCluster.PEER_B), "[]");

        api().body("{\"collection\":\"kairos-restored\"}").post("/api/snapshots/" + name + "/restore").then()
                .statusCode(422)
                .body("detail", org.hamcrest.Matchers.startsWith(name + " fails verification, so it is not restored: "))
                .body("detail", containsString(StandInCluster.PEER_B + ".snap"));
        for (int i = 0; i < 3; i++) {
            assertThat(cluster.node(i).requests("POST", "/collections/kairos-restored/snapshots/upload")).isEmpty();
        }
    }

    @Test
    void aCompleteSnapshotIsRestoredOnTheNodeQdrantUrlNamesOnceTheCopyToAnotherEnds() {
        // one snapshot holding every shard (a standalone Qdrant's, say), restored into the three-node cluster
        Path planted = cluster.directory().plantRestorable(QdrantStandIn.POINTS);
        String name = planted.getFileName().toString();
        cluster.node(0).restoresUploads("kairos-restored", QdrantStandIn.POINTS, SnapshotDir.uploadName(planted));
        String copying = "{\"peer_id\":" + StandInCluster.PEER_A + ",\"shard_count\":1,\"local_shards\":["
                + QdrantStandIn.shard(0, null, "Active") + "],\"remote_shards\":["
                + QdrantStandIn.shard(0, StandInCluster.PEER_B, "Dead") + "],\"shard_transfers\":[{\"shard_id\":0,"
                + "\"from\":" + StandInCluster.PEER_A + ",\"to\":" + StandInCluster.PEER_B
                + ",\"sync\":true,\"method\":\"stream_records\"}]}";
        String settled = "{\"peer_id\":" + StandInCluster.PEER_A + ",\"shard_count\":1,\"local_shards\":["
                + QdrantStandIn.shard(0, null, "Active") + "],\"remote_shards\":["
                + QdrantStandIn.shard(0, StandInCluster.PEER_B, "Active") + "],\"shard_transfers\":[]}";
        cluster.node(0).collectionClusterSettles("kairos-restored", copying, settled);

        api().body("{\"collection\":\"kairos-restored\",\"aliases\":false}").post("/api/snapshots/" + name + "/restore").then()
                .statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("completed"))
                .body("pointsFound", org.hamcrest.Matchers.equalTo((int) QdrantStandIn.POINTS))
                // one shard, on two of the three peers: as even a spread as there can be
                .body("message", not(containsString("even spread")));
        assertThat(cluster.node(0).requests("POST", "/collections/kairos-restored/snapshots/upload")).hasSize(1);
        for (int i = 1; i < 3; i++) {
            assertThat(cluster.node(i).requests("POST", "/collections/kairos-restored/snapshots/upload")).isEmpty();
        }
        // twice while the replicas settle; the spread is told from the settled placement, not read again
        assertThat(cluster.node(0).requests("GET", "/collections/kairos-restored/cluster")).hasSize(2);
    }

    @Test
    void aRestoreThatLeavesEveryShardOnTheNodeUploadedToSaysSo() {
        // three shards restored into the three-node cluster: Qdrant restores all three on the node uploaded to, and
        // with one replica each (replication factor 1) the other two nodes hold none
        Path planted = cluster.directory().plantRestorable(QdrantStandIn.POINTS, Instant.now().minusSeconds(3600),
                SnapshotArchiveBuilder.archive().shards(3).dataBytes(20_000).build());
        String name = planted.getFileName().toString();
        cluster.node(0).restoresUploads("kairos-spread", QdrantStandIn.POINTS, SnapshotDir.uploadName(planted));
        String allOnA = "{\"peer_id\":" + StandInCluster.PEER_A + ",\"shard_count\":3,\"local_shards\":["
                + QdrantStandIn.shard(0, null, "Active") + "," + QdrantStandIn.shard(1, null, "Active") + ","
                + QdrantStandIn.shard(2, null, "Active") + "],\"remote_shards\":[],\"shard_transfers\":[]}";
        cluster.node(0).collectionClusterSettles("kairos-spread", allOnA, allOnA);

        String remark = "Peer " + StandInCluster.PEER_A + ", the node the snapshot was uploaded to (QDRANT_URL), "
                + "holds 3 of the 3 shard replicas of `kairos-spread`, where an even spread over the cluster's 3 peers "
                + "gives it 1: Qdrant restores every shard of a snapshot on the node it is uploaded to, and does not "
                + "spread them again; move shards (POST /collections/kairos-spread/cluster, move_shard) to balance "
                + "the load";
        api().body("{\"collection\":\"kairos-spread\",\"aliases\":false}").post("/api/snapshots/" + name + "/restore")
                .then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("completed"))
                .body("remarks", hasItem(remark))
                .body("message", containsString(remark));
    }

    @Test
    void aRestoreWhoseReplicasDoNotSettleFailsSayingWhy() {
        JsonPath set = takeSet();
        String name = Path.of(set.getString("targets[0].filePath")).getFileName().toString();
        cluster.restoresSet("kairos-restored", name, List.of(StandInCluster.PEER_A, StandInCluster.PEER_B),
                "[{\"shard_id\":1,\"from\":" + StandInCluster.PEER_A + ",\"to\":" + StandInCluster.PEER_B
                        + ",\"sync\":true,\"method\":\"stream_records\"}]");

        api().body("{\"collection\":\"kairos-restored\"}").post("/api/snapshots/" + name + "/restore").then()
                .statusCode(502)
                .body("status", org.hamcrest.Matchers.equalTo("failed"))
                .body("message", containsString("shard transfers are still going (shard 1 from peer "
                        + StandInCluster.PEER_A + " to peer " + StandInCluster.PEER_B + ") after waiting 2s"));
    }

    @Test
    void aRunWaitsForATransferToFinishWithinTheSettleTimeout() {
        // node A's first reading shows a transfer going; the next, 2 s later, shows it done
        String scenario = "transfer";
        String placement = "{\"result\":{\"peer_id\":" + StandInCluster.PEER_A + ",\"shard_count\":3,"
                + "\"local_shards\":[{\"shard_id\":0,\"state\":\"Active\"},{\"shard_id\":2,\"state\":\"Active\"}],"
                + "\"remote_shards\":[{\"shard_id\":0,\"peer_id\":" + StandInCluster.PEER_B + ",\"state\":\"Active\"},"
                + "{\"shard_id\":1,\"peer_id\":" + StandInCluster.PEER_B + ",\"state\":\"Active\"},"
                + "{\"shard_id\":1,\"peer_id\":" + StandInCluster.PEER_C + ",\"state\":\"Active\"},"
                + "{\"shard_id\":2,\"peer_id\":" + StandInCluster.PEER_C + ",\"state\":\"Active\"}],"
                + "\"shard_transfers\":%s},\"status\":\"ok\",\"time\":0.0001}";
        cluster.node(0).server().stubFor(get(urlEqualTo("/collections/kairos/cluster")).atPriority(1)
                .inScenario(scenario).whenScenarioStateIs(Scenario.STARTED).willSetStateTo("done")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(placement.formatted("[{\"shard_id\":1,\"from\":" + StandInCluster.PEER_B
                                + ",\"to\":" + StandInCluster.PEER_C + ",\"sync\":true}]"))));
        cluster.node(0).server().stubFor(get(urlEqualTo("/collections/kairos/cluster")).atPriority(1)
                .inScenario(scenario).whenScenarioStateIs("done")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(placement.formatted("[]"))));

        JsonPath report = takeSet();

        assertThat(report.getList("targets[0].members.peerId")).containsExactly(StandInCluster.PEER_A,
                StandInCluster.PEER_B);
        assertThat(cluster.node(0).requests("GET", "/collections/kairos/cluster").size()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aSetIsDrilledOnASingleNodeCluster() {
        JsonPath set = takeSet();
        String name = Path.of(set.getString("targets[0].filePath")).getFileName().toString();
        cluster.drillTakesSet(name, List.of(StandInCluster.PEER_A, StandInCluster.PEER_B), true);

        api().body("{\"file\":\"" + name + "\"}").post("/api/drill").then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("completed"))
                .body("scratchDropped", org.hamcrest.Matchers.equalTo(true))
                .body("pointsFound", org.hamcrest.Matchers.equalTo((int) QdrantStandIn.POINTS));

        assertThat(cluster.drill().requests("POST", "/collections/drill-kairos-")
                .stream().filter(r -> r.getUrl().contains("/snapshots/upload")).toList()).hasSize(2);
        assertThat(cluster.drill().requests("DELETE", "/collections/drill-kairos-")).isNotEmpty();
        cluster.nodes().forEach(node -> assertThat(node.requests("POST", "/collections/drill-kairos-")).isEmpty());
    }

    @Test
    void aStandaloneDrillQdrantRefusesASetInOneSentence() {
        JsonPath set = takeSet();
        String name = Path.of(set.getString("targets[0].filePath")).getFileName().toString();
        cluster.drillTakesSet(name, List.of(StandInCluster.PEER_A, StandInCluster.PEER_B), false);

        api().body("{\"file\":\"" + name + "\"}").post("/api/drill").then().statusCode(409)
                .body("detail", containsString(name + " is a backup set of a cluster: it restores only into a Qdrant "
                        + "running as a cluster, and Qdrant at " + cluster.drill().url() + " runs standalone"));
        assertThat(cluster.drill().requests("POST", "/collections/drill-kairos-")).isEmpty();
    }

}
