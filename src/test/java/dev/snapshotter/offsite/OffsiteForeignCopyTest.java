package dev.snapshotter.offsite;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

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
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.S3Bucket;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;

/**
 * Snapshots put in the bucket by another tool (a snapshot directory copied up with {@code aws s3 sync}: no SHA-256 of
 * ours in the objects' metadata). With the {@code .sha256} beside it, a snapshot is listed, verified and restored
 * as one of ours; without it, it cannot be verified: it is not listed, and never restored.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn
@WithS3
@ExtendWith(SecretsStayHidden.class)
class OffsiteForeignCopyTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @InjectS3
    S3Bucket bucket;

    @BeforeEach
    void reset() {
        qdrant.reset();
        bucket.empty(bucket.prefix() + "/");
    }

    private static RequestSpecification api() {
        return given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN);
    }

    /** Moves a restorable local snapshot to the bucket as a plain copy would: the files as they are, no metadata. */
    private String copiedUpByAnotherTool(boolean withChecksumFile) throws Exception {
        Path planted = dir.plantRestorable(QdrantStandIn.POINTS);
        String name = planted.getFileName().toString();
        bucket.put("kairos/" + name, Files.readAllBytes(planted));
        bucket.put("kairos/" + name + ".json", Files.readAllBytes(planted.resolveSibling(name + ".json")));
        if (withChecksumFile) {
            bucket.put("kairos/" + name + ".sha256", Files.readAllBytes(planted.resolveSibling(name + ".sha256")));
        }
        dir.clear();
        return name;
    }

    @Test
    void withItsChecksumFileItIsListedVerifiedAndRestored() throws Exception {
        String name = copiedUpByAnotherTool(true);
        qdrant.restoresUploads("kairos_restored", QdrantStandIn.POINTS, "restore-" + name.replace(".snap", "")
                + ".snapshot");
        qdrant.aliasesUpdated();

        api().get("/api/snapshots").then().statusCode(200)
                .body("find { it.file == '" + name + "' }.location", equalTo("offsite"));
        api().post("/api/snapshots/" + name + "/verify").then().statusCode(200).body("verified", equalTo(true));
        api().contentType("application/json").body("{\"collection\":\"kairos_restored\"}")
                .post("/api/snapshots/" + name + "/restore").then().statusCode(200)
                .body("status", equalTo("completed"));
        assertThat(dir.list()).contains(dir.directory().resolve(name));
    }

    @Test
    void aNewerObjectWithoutAChecksumFileIsPassedOverByADrillOfTheNewest() throws Exception {
        String name = copiedUpByAnotherTool(true);
        String unverifiable = SnapshotDir.fileName(Instant.now().minus(Duration.ofMinutes(10)), "kairos");
        bucket.put("kairos/" + unverifiable, TestData.snapshot(1024));
        qdrant.restoresUploadsTo("drill-kairos-\\d{8}-\\d{6}", QdrantStandIn.POINTS,
                SnapshotDir.uploadName(Path.of(name)), 0, QdrantStandIn.SAMPLE_IDS);

        api().contentType("application/json").body("{}").post("/api/drill").then().statusCode(200)
                .body("file", equalTo(name)).body("scratchDropped", equalTo(true));
        assertThat(bucket.keys()).contains("kairos/" + unverifiable);
    }

    @Test
    void withoutItsChecksumFileItIsNeitherListedNorRestored() throws Exception {
        String name = copiedUpByAnotherTool(false);

        api().get("/api/snapshots").then().statusCode(200).body("file", not(hasItem(name)));
        api().contentType("application/json").body("{\"collection\":\"kairos_restored\"}")
                .post("/api/snapshots/" + name + "/restore").then().statusCode(404)
                .body("detail", equalTo("No listed snapshot is named " + name + " (see GET /api/snapshots)"));
        api().get("/api/snapshots/" + name).then().statusCode(404);
        assertThat(qdrant.requests("POST", "/collections/kairos_restored/snapshots/upload")).isEmpty();
    }
}
