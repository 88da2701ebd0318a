package dev.snapshotter.offsite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import dev.snapshotter.support.Relay;
import dev.snapshotter.support.S3Bucket;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * {@code QDRANT_SNAPSHOT_S3_LOCK_MODE=GOVERNANCE} and {@code _LOCK_FOR=1d}, into a bucket with S3 Object Lock: every
 * object of a backup is locked for a day from its write, and confirmed so; off-site retention still prunes (the backup
 * leaves the listing), but its locked version stays stored and nobody with the service's credential can delete it; a
 * store that does not lock what it stores fails the copy.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn
@WithS3(objectLockBucket = true, proxy = WithS3.Proxy.PLAIN, config = {
        @ResourceArg(name = "qdrant.snapshot.s3.lock-mode", value = "governance"),
        @ResourceArg(name = "qdrant.snapshot.s3.lock-for", value = "1d"),
        @ResourceArg(name = "qdrant.snapshot.s3.keep-last", value = "1") })
@ExtendWith(SecretsStayHidden.class)
class OffsiteObjectLockTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectS3
    S3Bucket bucket;

    @InjectS3
    Relay relay;

    @BeforeEach
    void reset() {
        qdrant.reset();
        relay.keepResponseHeaders();
        // the boot's probe has passed (and its catch-up begun)
        ServiceApi.awaitReady();
    }

    @Test
    void everyObjectOfTheCopyIsLockedForTheTimeAsked() {
        qdrant.snapshotServed("kairos", TestData.snapshot(7 << 20));
        Instant before = Instant.now();

        JsonPath report = ServiceApi.trigger().then().statusCode(200).extract().jsonPath();

        Instant after = Instant.now();
        String file = Path.of(report.getString("targets[0].filePath")).getFileName().toString();
        for (String object : new String[] { file, file + ".sha256", file + ".json" }) {
            HeadObjectResponse head = bucket.head("kairos/" + object).orElseThrow();
            assertThat(head.objectLockMode()).as(object).isEqualTo(ObjectLockMode.GOVERNANCE);
            assertThat(head.objectLockRetainUntilDate()).as(object).isBetween(
                    before.plus(Duration.ofDays(1)).minusSeconds(1), after.plus(Duration.ofDays(1)).plusSeconds(1));
        }
        assertThat(Instant.parse(report.getString("targets[0].offsite.lockedUntil")))
                .isEqualTo(bucket.head("kairos/" + file).orElseThrow().objectLockRetainUntilDate());
    }

    @Test
    void retentionPrunesALockedBackupWhoseVersionStaysAndCannotBeDeleted() {
        qdrant.snapshotServed("kairos", TestData.snapshot(4096));
        String older = Path.of(ServiceApi.trigger().then().statusCode(200).extract().jsonPath()
                .getString("targets[0].filePath")).getFileName().toString();
        qdrant.snapshotServed("kairos", TestData.snapshot(5000));

        JsonPath next = ServiceApi.trigger().then().statusCode(200).extract().jsonPath();

        assertThat(next.getList("targets[0].offsite.pruned", String.class)).contains(older);
        // the run says that the pruned version stays stored (no lifecycle rule on this bucket expires it)
        assertThat(next.getString("targets[0].offsite.message")).contains(OffsiteVersionedBucketTest.SAID);
        assertThat(bucket.head("kairos/" + older)).isEmpty();
        assertThat(bucket.versions("kairos/" + older)).hasSize(1);
        String version = bucket.versions("kairos/" + older).get(0);
        assertThatThrownBy(() -> bucket.deleteVersion("kairos/" + older, version)).isInstanceOfSatisfying(
                S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
        assertThat(bucket.versions("kairos/" + older)).containsExactly(version);
    }

    @Test
    void aStoreThatDoesNotLockWhatItStoresFailsTheCopyAndNoCopyIsMadeOnlyToBePruned() {
        relay.dropResponseHeaders("x-amz-object-lock");
        qdrant.snapshotServed("kairos", TestData.snapshot(4096));

        JsonPath report = ServiceApi.trigger().then().statusCode(502).extract().jsonPath();

        assertThat(report.getString("targets[0].stage")).isEqualTo("offsite");
        String file = Path.of(report.getString("targets[0].filePath")).getFileName().toString();
        assertThat(report.getString("targets[0].message")).contains("S3 shows s3://" + bucket.bucket() + "/"
                + bucket.prefix() + "/kairos/" + file + " without an Object Lock, not locked GOVERNANCE until",
                "as QDRANT_SNAPSHOT_S3_LOCK_MODE and _LOCK_FOR ask", "the object was removed from the listing");
        assertThat(Path.of(report.getString("targets[0].filePath"))).exists();
        assertThat(bucket.head("kairos/" + file)).isEmpty();

        // once the store shows its locks again, the next run copies its own snapshot; keep-last 1 would prune the
        // older one behind it at once, so its catch-up does not copy it again over the delete marker (which would
        // leave one more locked version, for nothing): the version the failed copy left stays stored, alone
        relay.keepResponseHeaders();
        qdrant.snapshotServed("kairos", TestData.snapshot(5000));
        JsonPath next = ServiceApi.trigger().then().statusCode(200).extract().jsonPath();
        assertThat(next.getList("targets[0].offsite.caughtUp", String.class)).isNullOrEmpty();
        assertThat(bucket.versions("kairos/" + file)).hasSize(1);
    }
}
