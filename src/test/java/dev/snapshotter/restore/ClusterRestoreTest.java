package dev.snapshotter.restore;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/**
 * A snapshot restored into a Qdrant that runs as a cluster: the Qdrant Helm chart's default, one node included. The
 * node uploaded to restores every shard the snapshot holds (Qdrant's per-node restore); the restore then waits, up to
 * {@code QDRANT_CLUSTER_SETTLE_TIMEOUT} (3 s here), until every shard has an {@code Active} replica and no transfer is
 * left, before its count and sample checks; a drill does the same. Before, any cluster was refused (409), so a
 * Helm-installed Qdrant could be backed up but never restored, drilled or restored at boot.
 */
@QuarkusTest
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.cluster.settle-timeout", value = "3s"))
@ExtendWith(SecretsStayHidden.class)
class ClusterRestoreTest {

    static final String TARGET = "kairos_restored";

    @InjectQdrant
    QdrantStandIn qdrant;

    @BeforeEach
    void resetQdrant() {
        qdrant.reset();
    }

    /** A snapshot taken through the service, Qdrant still standalone; then Qdrant runs as a one-node cluster. */
    private Path snapshotThenCluster() {
        qdrant.snapshotServed("kairos", TestData.snapshot(50_000));
        Path file = Path.of(ServiceApi.trigger().then().statusCode(200).extract().<String> path("targets[0].filePath"));
        qdrant.restoresUploads(TARGET, QdrantStandIn.POINTS, SnapshotDir.uploadName(file));
        qdrant.cluster("1", List.of("1"), TARGET, placement("Active", ""));
        return file;
    }

    private static String placement(String state, String transfers) {
        return "{\"peer_id\":1,\"shard_count\":1,\"local_shards\":[" + QdrantStandIn.shard(0, null, state)
                + "],\"remote_shards\":[],\"shard_transfers\":[" + transfers + "]}";
    }

    private static ValidatableResponse restore(Path file) {
        return given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN).contentType("application/json")
                .body("{\"collection\":\"" + TARGET + "\"}").post("/api/snapshots/" + file.getFileName() + "/restore")
                .then();
    }

    @Test
    void restoresIntoAOneNodeClusterOnceItsReplicasSettle() {
        Path file = snapshotThenCluster();
        qdrant.collectionClusterSettles(TARGET, placement("Partial", ""), placement("Active", ""));

        restore(file).statusCode(200)
                .body("status", equalTo("completed"))
                .body("collection", equalTo(TARGET))
                .body("pointsFound", equalTo((int) QdrantStandIn.POINTS))
                .body("uploadedCopyDeleted", equalTo(true));
        assertThat(qdrant.requests("POST", "/collections/" + TARGET + "/snapshots/upload")).hasSize(1);
        assertThat(qdrant.requests("GET", "/collections/" + TARGET + "/cluster")).as("read until it settled")
                .hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void aRestoreWhoseReplicasDoNotSettleFailsSayingWhy() {
        Path file = snapshotThenCluster();
        qdrant.collectionClusterSettles(TARGET, placement("Partial", ""), placement("Partial", ""));

        restore(file).statusCode(502)
                .body("status", equalTo("failed"))
                .body("message", equalTo("After the restore, shards [0] have no Active replica after waiting 3s"));
    }

    @Test
    void aDrillPassesInAOneNodeCluster() {
        // deploy/helm/qdrant-values.yaml's weekly drill, into a scratch collection of the chart's Qdrant
        qdrant.snapshotServed("kairos", TestData.snapshot(30_000));
        Path file = Path.of(ServiceApi.trigger().then().statusCode(200).extract().<String> path("targets[0].filePath"));
        qdrant.restoresUploadsTo(DrillTest.SCRATCH, QdrantStandIn.POINTS, SnapshotDir.uploadName(file), 0,
                QdrantStandIn.SAMPLE_IDS);
        qdrant.cluster("1", List.of("1"), "unused", "{}");
        qdrant.collectionCluster(DrillTest.SCRATCH, placement("Active", ""));

        given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN).contentType("application/json").body("{}")
                .post("/api/drill").then().statusCode(200)
                .body("status", equalTo("completed"))
                .body("pointsFound", equalTo((int) QdrantStandIn.POINTS))
                .body("scratchDropped", equalTo(true));
        assertThat(qdrant.requests("GET", "/collections/drill-kairos-")).anyMatch(r -> r.getUrl().endsWith("/cluster"));
    }
}
