package dev.snapshotter.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.store.SnapshotCatalog;
import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.StandInCluster;
import dev.snapshotter.support.WithStandInCluster;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The check the boot runs on a collection a restore of a backup set that did not end left in the cluster
 * ({@link BootRestoreLeftWholeTest} for one snapshot): taken as restored only when every shard has an {@code Active}
 * replica, no transfer is left and the exact count is the set's; nothing is dropped either way.
 */
@QuarkusTest
@WithStandInCluster(config = @ResourceArg(name = "qdrant.cluster.settle-timeout", value = "2s"))
@ExtendWith(SecretsStayHidden.class)
class SetLeftByARestoreTest {

    @InjectQdrant
    StandInCluster cluster;

    @Inject
    RestoreService restores;

    @Inject
    SnapshotCatalog catalog;

    @BeforeEach
    void resetCluster() {
        cluster.reset();
    }

    private SnapshotCatalog.Entry takeSet() {
        String name = Path.of(ServiceApi.trigger().then().statusCode(200).extract().jsonPath()
                .getString("targets[0].filePath")).getFileName().toString();
        return catalog.find(name).orElseThrow();
    }

    @Test
    void aCollectionHoldingTheSetWholeIsTakenAsRestored() {
        SnapshotCatalog.Entry set = takeSet();

        RestoreReport report = restores.adoptLeft(set, "kairos", true, () -> false);

        assertThat(report.status()).isEqualTo(RestoreReport.Status.COMPLETED);
        assertThat(report.pointsFound()).isEqualTo(QdrantStandIn.POINTS);
        assertThat(report.uploadedCopyDeleted()).isTrue();
        for (int i = 0; i < 3; i++) {
            assertThat(cluster.node(i).requests("DELETE", "/collections/kairos?")).isEmpty();
        }
    }

    @Test
    void aCollectionAShardOfWhichIsStillBeingRestoredIsNot() {
        SnapshotCatalog.Entry set = takeSet();
        cluster.placement(StandInCluster.replicas(0, Map.of(StandInCluster.PEER_A, "Active"), 1,
                Map.of(StandInCluster.PEER_B, "Partial"), 2, Map.of(StandInCluster.PEER_C,
                        "Active")),
                "[]", Map.of());

        RestoreReport report = restores.adoptLeft(set, "kairos", true, () -> false);

        assertThat(report.status()).isEqualTo(RestoreReport.Status.FAILED);
        assertThat(report.message()).contains("shards [1] have no Active replica after waiting 2s");
        for (int i = 0; i < 3; i++) {
            assertThat(cluster.node(i).requests("DELETE", "/collections/kairos?")).isEmpty();
        }
    }
}
