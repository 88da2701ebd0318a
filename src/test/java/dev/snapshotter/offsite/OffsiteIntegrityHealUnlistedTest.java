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
import dev.snapshotter.support.InjectS3;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.S3Bucket;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * QDRANT_SNAPSHOT_VERIFY_SCHEDULE with off-site copies: a backup whose checksum file rotted into no checksum (the local
 * copy is then not listed: nothing vouches for it) while its off-site copy is sound is healed by the next integrity
 * check: the off-site copy, fetched and verified, takes its place with a checksum file, and the check reads it. Before,
 * it stayed unlisted, never re-read, pruned or restored from the directory.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.verify-schedule", value = "*/2 * * * * ?"))
@WithS3(prefix = OffsiteIntegrityHealUnlistedTest.PREFIX)
@ExtendWith(SecretsStayHidden.class)
class OffsiteIntegrityHealUnlistedTest {

    static final String PREFIX = "integrity-heal-unlisted";

    @InjectQdrant
    SnapshotDir dir;

    @InjectS3
    S3Bucket bucket;

    @Test
    void aLocalCopyWhoseChecksumFileRottedIsReplacedByItsSoundOffsiteCopy() throws Exception {
        Instant now = Instant.now();
        byte[] sound = TestData.snapshot(25_000);
        Path local = dir.plantSnapshot(now.minus(Duration.ofHours(1)), QdrantStandIn.COLLECTION, sound);
        bucket.plantBackup(QdrantStandIn.COLLECTION, local.getFileName().toString(), sound, TestData.sha256(sound));
        Path checksum = local.resolveSibling(local.getFileName() + ".sha256");
        Files.writeString(checksum, "not a checksum any more\n");
        SnapshotDir.rot(local);

        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            JsonPath recorded = JsonPath.from(Files.readString(dir.directory().resolve(".integrity.json")));
            assertThat(Instant.parse(recorded.getString("startedAt"))).isAfter(now);
            assertThat(recorded.getInt("checked")).isEqualTo(1);
            assertThat(recorded.getList("failed", String.class)).isEmpty();
            assertThat(Files.readAllBytes(local)).isEqualTo(sound);
        });
        assertThat(Files.readString(checksum)).startsWith(TestData.sha256(sound) + "  ");
        assertThat(Scrape.value("snapshotter_offsite_healed_total")).isEqualTo(1);
        ServiceApi.api().get("/api/snapshots").then()
                .body("find { it.file == '" + local.getFileName() + "' }.location", org.hamcrest.Matchers.equalTo("both"));
    }
}
