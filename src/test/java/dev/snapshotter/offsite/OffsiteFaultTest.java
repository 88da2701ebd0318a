package dev.snapshotter.offsite;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.InjectS3;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Relay;
import dev.snapshotter.support.S3Bucket;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * The object store failing in the middle of a copy, through a relay in front of the real S3 server: the run fails at
 * the stage {@code offsite} with the verified local file kept, nothing is visible in the bucket and no part stays
 * stored, and a later run copies the file.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn
@WithS3(proxy = WithS3.Proxy.PLAIN)
@ExtendWith(SecretsStayHidden.class)
class OffsiteFaultTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @InjectS3
    S3Bucket bucket;

    @InjectS3
    Relay proxy;

    @BeforeEach
    void reset() {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !proxy.down());
        qdrant.reset();
        bucket.empty(bucket.prefix() + "/");
    }

    @Test
    void theServerStoppingMidUploadFailsTheRunAndTheNextRunCatchesUp() {
        qdrant.snapshotServed("kairos", TestData.snapshot(OffsiteCopyTest.SNAPSHOT_BYTES));
        double failedRuns = Scrape.value("snapshotter_runs_total{reason=\"api\",status=\"failed\",target=\"qdrant\"}");
        proxy.goDownAfter(0, 6_000);

        JsonPath failed = ServiceApi.trigger().then().statusCode(502).extract().jsonPath();

        Path kept = Path.of(failed.getString("targets[0].filePath"));
        String file = kept.getFileName().toString();
        assertThat(failed.getString("targets[0].status")).isEqualTo("failed");
        assertThat(failed.getString("targets[0].stage")).isEqualTo("offsite");
        assertThat(failed.getString("targets[0].offsite.status")).isEqualTo("failed");
        assertThat(failed.getString("targets[0].offsite.key")).isEqualTo(bucket.prefix() + "/kairos/" + file);
        assertThat(failed.getString("targets[0].message")).startsWith("Off-site copy failed: ")
                .contains("S3 could not be reached", "The verified local snapshot " + file + " is kept");
        assertThat(Files.exists(kept)).isTrue();
        assertThat(TestData.sha256(TestData.read(kept))).isEqualTo(failed.getString("targets[0].sha256"));
        assertThat(bucket.head("kairos/" + file)).isEmpty();
        assertThat(Scrape.value("snapshotter_runs_total{reason=\"api\",status=\"failed\",target=\"qdrant\"}"))
                .isEqualTo(failedRuns + 1);
        assertThat(Scrape.value("snapshotter_offsite_pending")).isEqualTo(1);

        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !proxy.down());
        qdrant.snapshotServed("kairos", TestData.snapshot(5000));
        JsonPath next = ServiceApi.trigger().then().statusCode(200).extract().jsonPath();

        assertThat(next.getList("targets[0].offsite.caughtUp", String.class)).containsExactly(file);
        assertThat(TestData.sha256(bucket.get("kairos/" + file))).isEqualTo(failed.getString("targets[0].sha256"));
        // the upload the server took part of before it stopped was aborted by the next run: no part is left stored
        assertThat(bucket.unfinishedUploads()).isEmpty();
        assertThat(Scrape.value("snapshotter_offsite_pending")).isZero();
    }

    @Test
    void aPartChangedOnTheWayIsRefusedAndTheUploadAborted() {
        qdrant.snapshotServed("kairos", TestData.snapshot(OffsiteCopyTest.SNAPSHOT_BYTES));
        proxy.flipByteAfter(1 << 20);

        JsonPath failed = ServiceApi.trigger().then().statusCode(502).extract().jsonPath();

        String file = Path.of(failed.getString("targets[0].filePath")).getFileName().toString();
        assertThat(failed.getString("targets[0].stage")).isEqualTo("offsite");
        // over plain http too, the part is bound to the signature by its signed SHA-256 header: the server refuses
        // the changed part by that SHA-256
        assertThat(failed.getString("targets[0].message")).contains("Could not upload part", "400 BadDigest",
                "changed on the way");
        assertThat(bucket.head("kairos/" + file)).isEmpty();
        assertThat(bucket.unfinishedUploads()).isEmpty();
        assertThat(Files.exists(Path.of(failed.getString("targets[0].filePath")))).isTrue();
    }

    @Test
    void anObjectThatIsNotWhatWasSentIsRemovedAndTheNextRunCopiesTheFileAgain() {
        byte[] body = TestData.snapshot(3000);
        qdrant.snapshotServed("kairos", body);
        proxy.misreportSizeOnHead(".snap");

        JsonPath failed = ServiceApi.trigger().then().statusCode(502).extract().jsonPath();

        Path kept = Path.of(failed.getString("targets[0].filePath"));
        String file = kept.getFileName().toString();
        assertThat(failed.getString("targets[0].stage")).isEqualTo("offsite");
        assertThat(failed.getString("targets[0].message")).contains("holds " + (body.length + 1) + " bytes after "
                + "its upload, not " + body.length + ": the object was removed");
        // the object that failed its confirmation is not left to pass for a backup, nor for this snapshot's copy
        assertThat(bucket.head("kairos/" + file)).isEmpty();
        assertThat(Files.exists(kept)).isTrue();

        qdrant.snapshotServed("kairos", TestData.snapshot(5000));
        JsonPath next = ServiceApi.trigger().then().statusCode(200).extract().jsonPath();

        assertThat(next.getList("targets[0].offsite.caughtUp", String.class)).containsExactly(file);
        assertThat(next.getString("targets[0].offsite.remarks")).isNull();
        assertThat(TestData.sha256(bucket.get("kairos/" + file))).isEqualTo(failed.getString("targets[0].sha256"));
    }

    /**
     * A snapshot only in the bucket, restored while the store is down: the restore is refused with S3's side of it (502,
     * as a run whose copy S3 cut), nothing is left in the directory and nothing reaches Qdrant. It was a 409, which says
     * Qdrant's state forbids the restore and is not worth a retry.
     */
    @Test
    void aRestoreFromTheBucketWhileTheStoreIsDownIsA502AndLeavesNothing() throws Exception {
        byte[] body = TestData.snapshot(OffsiteCopyTest.SNAPSHOT_BYTES);
        qdrant.snapshotServed("kairos", body);
        String file = Path.of(ServiceApi.trigger().then().statusCode(200).extract().jsonPath()
                .getString("targets[0].filePath")).getFileName().toString();
        for (Path local : dir.list()) {
            if (local.getFileName().toString().startsWith(file)) {
                Files.delete(local); // the snapshot is now only off-site
            }
        }
        proxy.goDownAfter(3 << 20, 6_000);

        given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN).contentType("application/json")
                .body("{\"collection\":\"kairos-restored\"}").post("/api/snapshots/" + file + "/restore").then()
                .statusCode(502)
                .contentType("application/problem+json")
                .body("detail", containsString("could not be looked at: Could not look up s3://"))
                .body("detail", containsString(file + ": S3 could not be reached"));
        assertThat(dir.list()).noneMatch(local -> local.getFileName().toString().contains(file));
        assertThat(qdrant.requests("POST", "/collections/kairos-restored")).isEmpty();
    }

    /**
     * The snapshot a restore takes before overwriting the collection is kept locally when only its off-site copy
     * fails: the restore goes on, with a remark.
     */
    @Test
    void aSnapshotBeforeAnOverwriteWhoseOffsiteCopyFailsStillLetsTheRestoreGoOn() throws Exception {
        qdrant.snapshotServed("kairos", TestData.snapshot(5_000));
        String file = Path.of(ServiceApi.trigger().then().statusCode(200).extract().jsonPath()
                .getString("targets[0].filePath")).getFileName().toString();
        Thread.sleep(1_100); // Qdrant names two snapshots of one second alike
        qdrant.snapshotServed("kairos", TestData.snapshot(OffsiteCopyTest.SNAPSHOT_BYTES));
        qdrant.restoresUploadsOver("kairos", 1);
        qdrant.aliasesUpdated();
        proxy.goDownAfter(0, 6_000);

        String safety = given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN)
                .contentType("application/json").body("{\"overwrite\":true}")
                .post("/api/snapshots/" + file + "/restore").then().statusCode(200)
                .body("status", equalTo("completed"))
                .body("remarks", hasItem(allOf(startsWith("The snapshot taken before the restore: Off-site copy failed: "),
                        containsString("is kept; the next run copies it"))))
                .extract().path("safetySnapshot");

        assertThat(dir.list()).containsAll(SnapshotDir.completed(dir.directory().resolve(safety)));
        assertThat(bucket.head("kairos/" + safety)).isEmpty();
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).hasSize(1);
    }
}
