package dev.snapshotter.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.StandInCluster;
import dev.snapshotter.support.WithStandInCluster;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * QDRANT_SNAPSHOT_VERIFY_SCHEDULE: a backup set that lost a member's checksum file (so not listed) while the member
 * still hashes to the SHA-256 its {@code set.json} records is listed again by the next integrity check, the checksum
 * file written again. Before, the set stayed unlisted: never restored, pruned or re-read.
 */
@QuarkusTest
@WithStandInCluster(config = @ResourceArg(name = "qdrant.snapshot.verify-schedule", value = "*/2 * * * * ?"))
@ExtendWith(SecretsStayHidden.class)
class ClusterSetLostChecksumFileTest {

    @InjectQdrant
    StandInCluster cluster;

    @Test
    void aSetWhoseManifestVouchesForItsMemberIsListedAgain() throws Exception {
        Path set = Path.of(ServiceApi.trigger().then().statusCode(200).extract().<String> path("targets[0].filePath"));
        Path checksum = set.resolve(StandInCluster.PEER_B + ".snap.sha256");
        String recorded = Files.readString(checksum);
        Files.delete(checksum);

        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(checksum).exists());
        assertThat(Files.readString(checksum)).isEqualTo(recorded);
        ServiceApi.api().get("/api/snapshots").then()
                .body("find { it.file == '" + set.getFileName() + "' }.verified", equalTo(true));
    }
}
