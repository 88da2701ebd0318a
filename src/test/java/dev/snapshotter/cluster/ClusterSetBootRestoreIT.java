package dev.snapshotter.cluster;

import static dev.snapshotter.support.ServiceApi.api;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.PackagedApp;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.StandInCluster;
import dev.snapshotter.support.StandInPerTest;

import io.restassured.path.json.JsonPath;

/**
 * {@code QDRANT_SNAPSHOT_RESTORE_IF_MISSING} on a cluster whose nodes lost the collection (rebuilt on empty volumes):
 * the newest backup is a set, taken through the service by an earlier process, and the boot restores it before startup
 * goes UP, one member to each node that took it, with its checksum, then checks the count; it takes no boot snapshot
 * of the restored data. Before, the boot restore was tested against one node listed as a cluster only.
 */
@ExtendWith(StandInPerTest.class)
class ClusterSetBootRestoreIT {

    @InjectQdrant
    StandInCluster cluster;

    @Test
    void aClusterThatLostTheCollectionIsRestoredFromTheNewestSetBeforeStartupGoesUp() throws Exception {
        String name;
        List<String> sha256;
        try (PackagedApp.Running first = PackagedApp.start(cluster.appEnvironment(Map.of()))) {
            first.awaitStarted();
            JsonPath set = api(first).post("/api/snapshot").then().statusCode(200).extract().jsonPath();
            name = Path.of(set.getString("targets[0].filePath")).getFileName().toString();
            sha256 = set.getList("targets[0].members.sha256");
            assertThat(name).endsWith(".set");
            assertThat(sha256).hasSize(2); // A holds shards 0 and 2, B shard 1 (and 0)
        }
        cluster.restoresSet(QdrantStandIn.COLLECTION, name, List.of(StandInCluster.PEER_A, StandInCluster.PEER_B),
                "[]");
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

    /** How many snapshots of {@code kairos} each node was asked to create so far. */
    private List<Integer> creates() {
        return cluster.nodes().stream()
                .map(node -> node.requests("POST", "/collections/kairos/snapshots?wait=true").size()).toList();
    }
}
