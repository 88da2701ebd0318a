package dev.snapshotter.offsite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.InjectS3;
import dev.snapshotter.support.LogCapture;
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
 * {@code QDRANT_SNAPSHOT_VERIFY_OFFSITE=true} with a check every 2 s: the backups only off-site are streamed from the
 * bucket through the same checks, one that rotted there is named and counted (the bucket holds no marks, and it is
 * left as it is), while a backup whose copy is in the directory is read there, not from the bucket, and another
 * collection's (another instance's, in a shared prefix) is not read.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.verify-schedule", value = "*/2 * * * * ?"))
@WithS3(config = @ResourceArg(name = "qdrant.snapshot.verify-offsite", value = "true"))
@ExtendWith(SecretsStayHidden.class)
class OffsiteIntegrityCheckTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @InjectS3
    S3Bucket bucket;

    @BeforeEach
    void reset() {
        ServiceApi.awaitReady();
        qdrant.reset();
        bucket.empty(bucket.prefix() + "/");
    }

    @Test
    void aBackupThatRottedInTheBucketIsNamedAndCounted() throws Exception {
        Instant now = Instant.now();
        byte[] sound = TestData.snapshot(20_000);
        String soundName = SnapshotDir.fileName(now.minus(Duration.ofHours(3)), QdrantStandIn.COLLECTION);
        bucket.plantBackup(QdrantStandIn.COLLECTION, soundName, sound, TestData.sha256(sound));
        byte[] body = TestData.snapshot(30_000);
        byte[] rotted = body.clone();
        rotted[body.length / 3] ^= 0x01;
        String rottenName = SnapshotDir.fileName(now.minus(Duration.ofHours(2)), QdrantStandIn.COLLECTION);
        bucket.plantBackup(QdrantStandIn.COLLECTION, rottenName, rotted, TestData.sha256(body));
        // in the directory too: read there; its copy in the bucket (rotted as well) is not read
        byte[] both = TestData.snapshot(25_000);
        Path local = dir.plantSnapshot(now.minus(Duration.ofHours(1)), QdrantStandIn.COLLECTION, both);
        byte[] bothRotted = both.clone();
        bothRotted[10] ^= 0x01;
        bucket.plantBackup(QdrantStandIn.COLLECTION, local.getFileName().toString(), bothRotted,
                TestData.sha256(both));
        // another instance's, sharing the prefix: its own checks read it, not this service's
        byte[] others = TestData.snapshot(15_000);
        byte[] othersRotted = others.clone();
        othersRotted[5] ^= 0x01;
        bucket.plantBackup("other", SnapshotDir.fileName(now.minus(Duration.ofMinutes(30)), "other"), othersRotted,
                TestData.sha256(others));
        Path record = dir.directory().resolve(".integrity.json");

        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            JsonPath recorded = JsonPath.from(Files.readString(record));
            assertThat(Instant.parse(recorded.getString("startedAt"))).isAfter(now);
            assertThat(recorded.getInt("offsiteChecked")).isEqualTo(2);
            assertThat(recorded.getList("offsiteFailed", String.class)).containsExactly(rottenName);
            assertThat(recorded.getInt("checked")).isEqualTo(1);
            assertThat(recorded.getList("failed", String.class)).isEmpty();
        });
        assertThat(Scrape.value("snapshotter_offsite_failing_verification")).isEqualTo(1);
        assertThat(Scrape.value("snapshotter_snapshots_failing_verification")).isZero();
        assertThat(bucket.get(QdrantStandIn.COLLECTION + "/" + rottenName)).isEqualTo(rotted); // left as it is
        assertThat(bucket.keys()).noneMatch(key -> key.endsWith(".verify-failed"));
        // recorded in the bucket too, for a pod that restarts without its directory
        String first = Awaitility.await().atMost(Duration.ofSeconds(10)).until(this::integrityRecords,
                records -> records.size() == 1).get(0);
        JsonPath inBucket = JsonPath.from(new String(bucket.get(first), StandardCharsets.UTF_8));
        assertThat(inBucket.getList("offsiteFailed", String.class)).containsExactly(rottenName);
        assertThat(inBucket.getInt("offsiteChecked")).isEqualTo(2);

        bucket.plantBackup(QdrantStandIn.COLLECTION, rottenName, body, TestData.sha256(body)); // a good copy put back

        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                Scrape.value("snapshotter_offsite_failing_verification")).isZero());
        // each check's record replaces the one before
        String second = Awaitility.await().atMost(Duration.ofSeconds(10)).until(this::integrityRecords,
                records -> records.size() == 1 && !records.contains(first)).get(0);

        // a store that refuses the record fails no check: the directory records it, and a WARN says why
        bucket.denyWrites();
        try (LogCapture log = LogCapture.install()) {
            Instant denied = Instant.now();
            Awaitility.await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
                assertThat(Instant.parse(JsonPath.from(Files.readString(record)).getString("startedAt")))
                        .isAfter(denied);
                assertThat(log.appLines()).anyMatch(line -> line.contains("could not be recorded off-site"));
            });
        } finally {
            bucket.allowWrites();
        }
        assertThat(integrityRecords()).containsExactly(second);
        assertThat(Scrape.value("snapshotter_last_integrity_check_timestamp_seconds"))
                .isGreaterThan(Instant.parse(JsonPath.from(new String(bucket.get(second), StandardCharsets.UTF_8))
                        .getString("startedAt")).getEpochSecond());
    }

    private List<String> integrityRecords() {
        return bucket.keys().stream().filter(key -> key.startsWith(QdrantStandIn.COLLECTION + "/integrity/")).toList();
    }
}
