package dev.snapshotter.offsite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

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

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;

/**
 * Off-site copies against a real S3 server (Ceph RGW): every verified snapshot goes up as a multipart upload with
 * per-part SHA-256, with its checksum file and manifest, and is confirmed before the run completes; what earlier runs
 * could not copy is caught up; an object of the same name is never overwritten.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn
@WithS3
@ExtendWith(SecretsStayHidden.class)
class OffsiteCopyTest {

    /** Three parts of 5 MiB (the last one shorter). */
    static final int SNAPSHOT_BYTES = 12 << 20;

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @InjectS3
    S3Bucket bucket;

    @BeforeEach
    void reset() {
        // the packaged app boots again for some tests: its boot's probe and catch-up come first, so that a snapshot
        // planted here is the run's to copy
        ServiceApi.awaitReady();
        qdrant.reset();
        bucket.empty(bucket.prefix() + "/");
    }

    @Test
    void copiesTheVerifiedSnapshotOffSiteAndConfirmsItBeforeTheRunCompletes() {
        byte[] body = TestData.snapshot(SNAPSHOT_BYTES);
        qdrant.snapshotServed("kairos", body);
        double bytesBefore = Scrape.value("snapshotter_offsite_bytes_total");

        JsonPath report;
        try (LogCapture logs = LogCapture.install()) {
            report = ServiceApi.trigger().then().statusCode(200).extract().jsonPath();
            String file = Path.of(report.getString("targets[0].filePath")).getFileName().toString();
            assertThat(logs.appLines()).anyMatch(line -> line.contains("Snapshot completed") && line.contains(
                    "offsite=s3://" + bucket.bucket() + "/" + bucket.prefix() + "/kairos/" + file));
        }

        String file = Path.of(report.getString("targets[0].filePath")).getFileName().toString();
        String sha256 = TestData.sha256(body);
        assertThat(report.getString("targets[0].offsite.status")).isEqualTo("completed");
        assertThat(report.getString("targets[0].offsite.bucket")).isEqualTo(bucket.bucket());
        assertThat(report.getString("targets[0].offsite.key")).isEqualTo(bucket.prefix() + "/kairos/" + file);
        assertThat(report.getLong("targets[0].offsite.bytes")).isEqualTo(body.length);
        assertThat(report.getString("targets[0].offsite.sha256")).isEqualTo(sha256);
        // S3's own SHA-256, composite over the three parts the server checked one by one
        assertThat(report.getString("targets[0].offsite.checksum")).matches("[A-Za-z0-9+/]{43}=-3");

        assertThat(bucket.keys()).containsExactly("kairos/" + file, "kairos/" + file + ".json",
                "kairos/" + file + ".sha256");
        assertThat(TestData.sha256(bucket.get("kairos/" + file))).isEqualTo(sha256);
        assertThat(new String(bucket.get("kairos/" + file + ".sha256"))).isEqualTo(sha256 + "  " + file + "\n");
        assertThat(bucket.head("kairos/" + file).orElseThrow().checksumSHA256())
                .isEqualTo(report.getString("targets[0].offsite.checksum"));
        assertThat(bucket.unfinishedUploads()).isEmpty();
        assertThat(Files.exists(dir.directory().resolve(file))).isTrue();

        assertThat(Scrape.value("snapshotter_offsite_bytes_total")).isEqualTo(bytesBefore + body.length);
        assertThat(Scrape.value("snapshotter_offsite_pending")).isZero();
        assertThat(Scrape.value("snapshotter_offsite_last_success_timestamp_seconds"))
                .isEqualTo(Scrape.value("snapshotter_last_success_timestamp_seconds{target=\"qdrant\"}"));
    }

    @Test
    void catchesUpWhatEarlierRunsCouldNotCopyNewestFirst() {
        Instant now = Instant.now();
        Path older = dir.plantSnapshot(now.minus(Duration.ofDays(2)), "kairos", TestData.snapshot(3000));
        Path newer = dir.plantSnapshot(now.minus(Duration.ofDays(1)), "kairos", TestData.snapshot(3001));
        qdrant.snapshotServed("kairos", TestData.snapshot(5000));

        JsonPath report = ServiceApi.trigger().then().statusCode(200).extract().jsonPath();

        assertThat(report.getList("targets[0].offsite.caughtUp", String.class))
                .containsExactly(newer.getFileName().toString(), older.getFileName().toString());
        assertThat(bucket.keys()).contains("kairos/" + older.getFileName(), "kairos/" + older.getFileName() + ".sha256",
                "kairos/" + newer.getFileName());
        assertThat(bucket.get("kairos/" + older.getFileName())).isEqualTo(TestData.read(older));
        assertThat(Scrape.value("snapshotter_offsite_pending")).isZero();
    }

    @Test
    void neverOverwritesAnObjectOfTheSameName() {
        Path planted = dir.plantSnapshot(Instant.now().minus(Duration.ofDays(1)), "kairos", TestData.snapshot(3000));
        byte[] theirs = "not our snapshot".getBytes();
        bucket.put("kairos/" + planted.getFileName(), theirs);
        qdrant.snapshotServed("kairos", TestData.snapshot(5000));

        JsonPath report = ServiceApi.trigger().then().statusCode(200).extract().jsonPath();

        assertThat(report.getString("targets[0].offsite.status")).isEqualTo("completed");
        assertThat(report.getString("targets[0].offsite.message")).contains("Off-site catch-up stopped at "
                + planted.getFileName(), "is already there and is not this snapshot", "never overwritten");
        assertThat(bucket.get("kairos/" + planted.getFileName())).isEqualTo(theirs);
        assertThat(Files.exists(planted)).isTrue();
        assertThat(Scrape.value("snapshotter_offsite_pending")).isEqualTo(1);
        assertThat(bucket.unfinishedUploads()).isEmpty();
    }

    @Test
    void readinessSaysTheBucketTakesOurWrites() {
        RestAssured.get("/q/health/ready").then().statusCode(200);
        JsonPath health = RestAssured.get("/q/health/ready").jsonPath();
        assertThat(health.getString("checks.find { it.name == 'offsite' }.status")).isEqualTo("UP");
        assertThat(bucket.keys()).noneMatch(key -> key.contains("probe"));
    }

    /**
     * The off-site series in a scrape as Prometheus takes it, saved to {@code target/metrics/} for promtool and the
     * dashboard check (run by {@code .ci/run}).
     */
    @Test
    void publishesTheOffsiteSeries() throws Exception {
        qdrant.snapshotServed("kairos", TestData.snapshot(4096));
        ServiceApi.trigger().then().statusCode(200);
        String scrape = RestAssured.given().header("Accept", "text/plain;version=0.0.4")
                .get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(scrape).contains("snapshotter_offsite_last_success_timestamp_seconds ",
                "snapshotter_offsite_bytes_total ", "snapshotter_offsite_pending 0",
                "snapshotter_offsite_pruned_versions_kept 0", "snapshotter_offsite_healed_total 0");
        Path directory = Files.createDirectories(Path.of("target", "metrics"));
        Files.writeString(directory.resolve("offsite.txt"), scrape);
    }
}
