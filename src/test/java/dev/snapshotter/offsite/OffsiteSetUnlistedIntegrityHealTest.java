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
import dev.snapshotter.support.StandInCluster;
import dev.snapshotter.support.WithS3;
import dev.snapshotter.support.WithStandInCluster;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * QDRANT_SNAPSHOT_VERIFY_SCHEDULE with off-site copies: a cluster backup set that lost its {@code set.json}, a member
 * and another member's checksum file is made whole from its off-site copy by the integrity check that finds it (as in
 * {@link OffsiteSetUnlistedTest}), then read with the rest. Before, each check named it at WARN and left it unlisted.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithStandInCluster(config = @ResourceArg(name = "qdrant.snapshot.verify-schedule", value = "*/2 * * * * ?"))
@WithS3(prefix = OffsiteSetUnlistedIntegrityHealTest.PREFIX)
@ExtendWith(SecretsStayHidden.class)
class OffsiteSetUnlistedIntegrityHealTest {

    static final String PREFIX = "set-unlisted-integrity";

    @InjectQdrant
    StandInCluster cluster;

    @Test
    void aSetThatLostWhatVouchesForItIsMadeWholeFromItsOffsiteCopy() throws Exception {
        Path set = Path.of(ServiceApi.trigger().then().statusCode(200).extract().<String> path("targets[0].filePath"));
        OffsiteSetUnlistedTest.Damage damage = OffsiteSetUnlistedTest.Damage.to(set);
        Instant damaged = Instant.now();
        Path record = set.resolveSibling(".integrity.json");

        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            JsonPath recorded = JsonPath.from(Files.readString(record));
            assertThat(Instant.parse(recorded.getString("startedAt"))).isAfter(damaged);
            assertThat(recorded.getInt("checked")).isEqualTo(1);
            assertThat(recorded.getList("failed", String.class)).isEmpty();
        });
        damage.assertHealed();
        assertThat(Scrape.value("snapshotter_offsite_healed_total")).isEqualTo(1);
    }
}
