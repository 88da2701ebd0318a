package dev.snapshotter.offsite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.StandInCluster;
import dev.snapshotter.support.WithS3;
import dev.snapshotter.support.WithStandInCluster;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * QDRANT_SNAPSHOT_VERIFY_SCHEDULE with off-site copies: a member of a cluster backup set that rotted on disk is healed
 * by the integrity check that finds it, as a single snapshot is: the member's off-site copy, fetched and verified,
 * takes its place, and nothing is left failing. Before, the set stayed marked and was never restored.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithStandInCluster(config = @ResourceArg(name = "qdrant.snapshot.verify-schedule", value = "*/2 * * * * ?"))
@WithS3(prefix = OffsiteSetIntegrityHealTest.PREFIX)
@ExtendWith(SecretsStayHidden.class)
class OffsiteSetIntegrityHealTest {

    static final String PREFIX = "set-integrity-heal";

    @InjectQdrant
    StandInCluster cluster;

    @Test
    void aSetMemberThatRottedIsReplacedByItsSoundOffsiteCopy() throws Exception {
        Path set = Path.of(ServiceApi.trigger().then().statusCode(200).extract().<String> path("targets[0].filePath"));
        Path member = set.resolve(StandInCluster.PEER_A + ".snap");
        byte[] sound = Files.readAllBytes(member);
        Instant rotted = Instant.now();
        SnapshotDir.rot(member);
        Path record = set.resolveSibling(".integrity.json");

        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            JsonPath recorded = JsonPath.from(Files.readString(record));
            assertThat(Instant.parse(recorded.getString("startedAt"))).isAfter(rotted);
            assertThat(recorded.getInt("checked")).isEqualTo(1);
            assertThat(recorded.getList("failed", String.class)).isEmpty();
            assertThat(Files.readAllBytes(member)).isEqualTo(sound);
        });
        assertThat(set.resolveSibling(set.getFileName() + ".verify-failed")).doesNotExist();
        assertThat(Scrape.value("snapshotter_snapshots_failing_verification")).isZero();
        assertThat(Scrape.value("snapshotter_offsite_healed_total")).isEqualTo(1);
    }
}
