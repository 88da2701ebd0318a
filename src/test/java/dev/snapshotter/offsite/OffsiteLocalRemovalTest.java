package dev.snapshotter.offsite;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.store.SnapshotCatalog;
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

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * {@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false} never takes a local file from under a restore or drill: the boot's
 * off-site catch-up removes what it confirmed off-site beside whatever else runs, so the removal waits while a restore
 * reads local snapshots. Here in the app's JVM: a restore or drill holds the catalog's reading while it runs, and a removal
 * finding the catalog read keeps the files, says so, and leaves them to the next run.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn
@WithS3(config = @ResourceArg(name = "qdrant.snapshot.s3.keep-local", value = "false"))
@ExtendWith(SecretsStayHidden.class)
class OffsiteLocalRemovalTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @InjectS3
    S3Bucket bucket;

    @Inject
    SnapshotCatalog catalog;

    @BeforeEach
    void reset() {
        qdrant.reset();
        bucket.empty(bucket.prefix() + "/");
    }

    @Test
    void aRestoreHoldsOffTheRemovalOfLocalFilesUntilItEnds() throws Exception {
        Path planted = dir.plantRestorable(QdrantStandIn.POINTS);
        qdrant.restoresUploads("kairos_restored", QdrantStandIn.POINTS, SnapshotDir.uploadName(planted), 3_000);
        qdrant.aliasesUpdated();

        assertReadingHeldWhile("/api/snapshots/" + planted.getFileName() + "/restore",
                "{\"collection\":\"kairos_restored\"}");
    }

    @Test
    void aDrillHoldsOffTheRemovalOfLocalFilesUntilItEnds() throws Exception {
        qdrant.snapshotServed("kairos", TestData.snapshot(4096));
        Path taken = Path.of(ServiceApi.trigger().then().statusCode(200).extract().<String> path(
                "targets[0].filePath")); // off-site only now: the drill fetches it
        qdrant.restoresUploadsTo("drill-kairos-\\d{8}-\\d{6}", QdrantStandIn.POINTS, SnapshotDir.uploadName(taken),
                3_000, QdrantStandIn.SAMPLE_IDS);

        assertReadingHeldWhile("/api/drill", "{}");
    }

    /**
     * Posts {@code body} to {@code path} (an upload of 3 s follows): while it goes, a removal would not run; once it
     * has answered 200, it would.
     */
    private void assertReadingHeldWhile(String path, String body) throws Exception {
        CompletableFuture<Integer> call = CompletableFuture.supplyAsync(() -> given()
                .header("Authorization", "Bearer " + ServiceApi.API_TOKEN).contentType("application/json").body(body)
                .post(path).then().extract().statusCode());
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !removalWouldRun());
        assertThat(call.get(30, TimeUnit.SECONDS)).isEqualTo(200);
        assertThat(removalWouldRun()).isTrue();
    }

    private boolean removalWouldRun() {
        return catalog.unlessRead(() -> true).isPresent();
    }

    @Test
    void aRemovalFindingLocalSnapshotsReadKeepsThemForTheNextRun() {
        qdrant.snapshotServed("kairos", TestData.snapshot(4096));
        JsonPath kept;
        try (SnapshotCatalog.Reading reading = catalog.reading()) {
            kept = ServiceApi.trigger().then().statusCode(200)
                    .body("targets[0].offsite.status", equalTo("completed"))
                    .body("targets[0].offsite.localRemoved", equalTo(false))
                    .body("targets[0].offsite.message", containsString("The local files confirmed off-site stay "
                            + "until the next run (QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false): a restore or drill is reading "
                            + "local snapshots"))
                    .extract().jsonPath();
        }
        Path first = Path.of(kept.getString("targets[0].filePath"));
        assertThat(Files.exists(first)).isTrue();

        qdrant.snapshotServed("kairos", TestData.snapshot(4097));
        ServiceApi.trigger().then().statusCode(200).body("targets[0].offsite.localRemoved", equalTo(true));
        assertThat(dir.list()).noneMatch(file -> file.getFileName().toString().endsWith(".snap"));
    }
}
