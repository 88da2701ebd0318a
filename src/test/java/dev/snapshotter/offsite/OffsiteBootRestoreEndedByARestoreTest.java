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
 * A pod without a volume ({@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false}) finds the bucket's record of a boot restore that
 * did not end, the collection it left holding part of the backup, and Qdrant fails every drop of it: startup stays
 * DOWN, the boot trying again. The operator restores the newest backup through the API: the bucket's record is removed
 * with the restore, which ended it, so neither this pod's boot (its next try) nor a later pod's takes the collection
 * for a half-restored one. Before, the record stayed in the bucket.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true"), missingCollectionRestoredAfterMillis = 0, restoreLeftUnfinished = true, restoreLeftWithPoints = 1000, fails = "DELETE /collections/kairos", plantedOffsitePrefix = OffsiteBootRestoreEndedByARestoreTest.PREFIX)
@WithS3(prefix = OffsiteBootRestoreEndedByARestoreTest.PREFIX, config = @ResourceArg(name = "qdrant.snapshot.s3.keep-local", value = "false"))
@ExtendWith(SecretsStayHidden.class)
class OffsiteBootRestoreEndedByARestoreTest {

    static final String PREFIX = "boot-restore-ended";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectS3
    S3Bucket bucket;

    @Test
    void aRestoreOfTheCollectionRemovesTheBucketsRecordOfTheBootRestoreItEnded() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/health/started").then()
                .statusCode(503).body("checks[0].data.restoreMessage", containsString("and dropping it failed ("))
                .body("checks[0].data.restore", equalTo("waiting")));
        assertThat(bucket.keys(bucket.prefix() + "/kairos/boot-restores/")).hasSize(1);

        ServiceApi.api().contentType("application/json").body("{\"overwrite\":true,\"safetySnapshot\":false}")
                .post("/api/restore").then().statusCode(200)
                .body("status", equalTo("completed"))
                .body("message", containsString("the record of the boot's restore of collection `kairos` that did not "
                        + "end (started 2026-12-01T03:00:00Z) is removed: this restore ended it"));
        assertThat(bucket.keys(bucket.prefix() + "/kairos/boot-restores/")).isEmpty();

        Awaitility.await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).hasSize(1); // the API's alone
    }
}
