package dev.snapshotter.offsite;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.InjectS3;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.S3Bucket;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * As {@link OffsiteBootRestoreUnfinishedTest}, with a credential that may not delete: the restore completes, but the
 * bucket's record of the replaced pod's restore cannot be removed, and a later boot would take the collection, written
 * by the app meanwhile, for one a restore left unfinished, and drop it. So the app is not started: startup stays DOWN,
 * naming the record, and the boot tries to remove it again. A restore of the collection through the API, which ends that
 * restore, says the record is still there, and what to do. Once the bucket lets the record be removed, the boot removes
 * it and starts the app, without a restart and without restoring again. Before, startup stayed DOWN until a restart.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true"), missingCollectionRestoredAfterMillis = 0, restoreLeftUnfinished = true, restoreLeftWithPoints = 1000, plantedOffsitePrefix = OffsiteBootRestoreRecordStuckTest.PREFIX)
@WithS3(prefix = OffsiteBootRestoreRecordStuckTest.PREFIX, deletesDenied = true, config = @ResourceArg(name = "qdrant.snapshot.s3.keep-local", value = "false"))
@ExtendWith(SecretsStayHidden.class)
class OffsiteBootRestoreRecordStuckTest {

    static final String PREFIX = "boot-restore-record-stuck";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectS3
    S3Bucket bucket;

    @Test
    void aRecordOfARestoreUnderWayThatCannotBeRemovedKeepsStartupDownUntilItIs() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                qdrant.requests("POST", "/collections/kairos/snapshots/upload")).hasSize(1));
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/health/started").then()
                .statusCode(503)
                .body("checks[0].data.restoreMessage", containsString("Startup stays DOWN: collection `kairos` was "
                        + "missing on Qdrant; restored `kairos` from "))
                .body("checks[0].data.restoreMessage", containsString("; the record of a boot's restore under way in "
                        + "the bucket, s3://" + bucket.bucket() + "/" + PREFIX + "/" + S3Bucket.BOOT_RESTORE_RECORD
                        + ", could not be removed ("))
                .body("checks[0].data.restoreMessage", containsString("so the app is not started on it; the boot "
                        + "removes it once the bucket answers, then starts the app (or delete that object); the boot "
                        + "tries again at ")));
        assertThat(bucket.keys(bucket.prefix() + "/kairos/boot-restores/")).isNotEmpty();

        // a restore of the collection through the API ends that restore, but cannot remove its record either: it says so
        ServiceApi.api().contentType("application/json").body("{\"overwrite\":true,\"safetySnapshot\":false}")
                .post("/api/restore").then().statusCode(200)
                .body("status", equalTo("completed"))
                .body("message", containsString("the record of the boot's restore of collection `kairos` that did not "
                        + "end (started "))
                .body("message", containsString("), which this restore ended, is still in the bucket: s3://"
                        + bucket.bucket() + "/" + PREFIX + "/" + S3Bucket.BOOT_RESTORE_RECORD + ", could not be removed ("))
                .body("message", containsString("; delete that object, or a later boot checks collection `kairos` "
                        + "against the newest backup, and drops it unless it holds that whole"));
        given().get("/q/health/started").then().statusCode(503);

        // the bucket answers again (the credential may delete now): the boot removes the record, and starts the app
        int uploads = qdrant.requests("POST", "/collections/kairos/snapshots/upload").size(); // the boot's, the API's
        bucket.allowWrites();
        Awaitility.await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        given().get("/q/health/started").then()
                .body("checks[0].data.restoreMessage", containsString("ollection `kairos` was missing on Qdrant; "
                        + "restored `kairos` from "));
        assertThat(bucket.keys(bucket.prefix() + "/kairos/boot-restores/")).isEmpty();
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).hasSize(uploads); // none again
    }
}
