package dev.snapshotter.offsite;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.restore.RestoreReport;
import dev.snapshotter.restore.RestoreService;
import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.InjectS3;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.S3Bucket;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * {@code QDRANT_COLLECTION} names an alias ({@code kairos} pointing at {@code kairos_v2}): its snapshots carry the real
 * collection's name, and their manifests the alias. The newest snapshot of the configured collection (a boot's
 * {@code RESTORE_IF_MISSING}, the command line's {@code --latest}) is found off-site by its manifest, as it is locally;
 * a newer snapshot taken as another collection is not taken for it.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn
@WithS3
@ExtendWith(SecretsStayHidden.class)
class OffsiteAliasRestoreTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @InjectS3
    S3Bucket bucket;

    @Inject
    RestoreService restores;

    @BeforeEach
    void reset() {
        qdrant.reset();
        dir.clear();
        bucket.empty(bucket.prefix() + "/");
    }

    @Test
    void theNewestSnapshotTakenThroughTheAliasIsFetchedFromTheBucketAndRestored() throws Exception {
        Instant now = Instant.now();
        String taken = putOffsite(now.minusSeconds(3600), "kairos_v2", "kairos");
        putOffsite(now.minusSeconds(60), "other", "other");
        String upload = "restore-" + taken.replaceAll("\\.snap$", "") + ".snapshot";
        qdrant.restoresUploads("kairos_v2", QdrantStandIn.POINTS, upload);
        qdrant.aliasesUpdated();

        RestoreReport report = restores.restore(RestoreService.Request.newest());

        assertThat(report.status()).isEqualTo(RestoreReport.Status.COMPLETED);
        assertThat(report.file()).isEqualTo(taken);
        assertThat(report.collection()).isEqualTo("kairos_v2");
        assertThat(qdrant.requests("POST", "/collections/kairos_v2/snapshots/upload")).hasSize(1);
        assertThat(qdrant.requests("POST", "/collections/other/snapshots/upload")).isEmpty();
        // fetched, verified, into the directory: listed as both local and off-site
        assertThat(dir.list()).anyMatch(file -> file.getFileName().toString().equals(taken));
        JsonPath listed = given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN).get("/api/snapshots")
                .then().statusCode(200).extract().jsonPath();
        assertThat(listed.getString("find { it.file == '" + taken + "' }.location")).isEqualTo("both");
    }

    @Test
    void theNewestSnapshotBeforeATimeIsFetchedFromTheBucketPastNewerOnes() throws Exception {
        Instant now = Instant.now();
        String wanted = putOffsite(now.minus(Duration.ofHours(3)), "kairos_v2", "kairos");
        String later = putOffsite(now.minus(Duration.ofHours(1)), "kairos_v2", "kairos");
        Path local = dir.plantRestorable(QdrantStandIn.POINTS, now.minus(Duration.ofMinutes(30)));
        qdrant.restoresUploads("kairos_v2", QdrantStandIn.POINTS,
                "restore-" + wanted.replaceAll("\\.snap$", "") + ".snapshot");
        qdrant.aliasesUpdated();

        RestoreReport report = restores.restore(new RestoreService.Request(null, now.minus(Duration.ofHours(2)), null,
                false, true, true, false));

        assertThat(report.status()).isEqualTo(RestoreReport.Status.COMPLETED);
        assertThat(report.file()).isEqualTo(wanted);
        assertThat(dir.list()).map(file -> file.getFileName().toString()).contains(wanted, local.getFileName()
                .toString()).doesNotContain(later);
    }

    /** A verified snapshot of {@code collection} off-site, with its checksum file and a manifest. */
    private String putOffsite(Instant createdAt, String collection, String configuredName) {
        byte[] body = TestData.snapshot(20_000);
        String name = SnapshotDir.fileName(createdAt, collection);
        String sha256 = TestData.sha256(body);
        bucket.plantBackup(collection, name, body, sha256);
        bucket.put(collection + "/" + name + ".json", ("{\"format\":1,\"collection\":{\"name\":\"" + collection
                + "\"},\"configuredName\":\"" + configuredName + "\",\"aliases\":[\"" + configuredName
                + "\"],\"points\":{\"count\":" + QdrantStandIn.POINTS + ",\"min\":" + QdrantStandIn.POINTS
                + ",\"max\":" + QdrantStandIn.POINTS + "}}").getBytes(StandardCharsets.UTF_8));
        return name;
    }
}
