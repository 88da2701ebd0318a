package dev.snapshotter.offsite;

import static org.assertj.core.api.Assertions.assertThat;

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
 * Off-site retention in a bucket that keeps versions (here one with Object Lock, which turns versioning on, and no lock
 * asked): a pruned backup only leaves the listing and stays stored, and billed, as a noncurrent version, unless a
 * lifecycle rule expires such versions under the prefix. The run says so while no rule does. Before, it said nothing,
 * and the bucket grew with every pruning while retention seemed to bound it.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn
@WithS3(objectLockBucket = true, config = { @ResourceArg(name = "qdrant.snapshot.s3.keep-last", value = "1"),
        @ResourceArg(name = "qdrant.snapshot.keep-last", value = "3") })
@ExtendWith(SecretsStayHidden.class)
class OffsiteVersionedBucketTest {

    static final String SAID = "keeps versions (versioning Enabled) and no enabled lifecycle rule expires noncurrent "
            + "versions under ";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectS3
    S3Bucket bucket;

    @BeforeEach
    void reset() {
        ServiceApi.awaitReady();
        qdrant.reset();
        bucket.empty(bucket.prefix() + "/");
        bucket.expireNoncurrentVersions(null);
    }

    @Test
    void aPrunedBackupThatStaysStoredAsAVersionIsSaid() throws Exception {
        String older = plantOurs();

        JsonPath report = run();

        assertThat(report.getList("targets[0].offsite.pruned", String.class)).containsExactly(older);
        assertThat(report.getString("targets[0].offsite.message")).contains("Off-site retention: the bucket "
                + bucket.bucket() + " " + SAID + "s3://" + bucket.bucket() + "/" + bucket.prefix() + "/: each backup "
                + "pruned here stays stored, and billed, as a noncurrent version; add a rule with "
                + "NoncurrentVersionExpiration for the prefix");
        assertThat(bucket.keys()).doesNotContain("kairos/" + older);
        assertThat(bucket.versions("kairos/" + older)).hasSize(1); // what the remark says: it is still stored
        assertThat(Scrape.value("snapshotter_offsite_pruned_versions_kept")).isEqualTo(1); // for the alert
    }

    @Test
    void onlyALifecycleRuleThatCoversThePrefixSilencesIt() throws Exception {
        bucket.expireNoncurrentVersions("elsewhere/");
        String older = plantOurs();
        JsonPath report = run();
        assertThat(report.getList("targets[0].offsite.pruned", String.class)).containsExactly(older);
        assertThat(report.getString("targets[0].offsite.message")).contains(SAID);

        bucket.expireNoncurrentVersions(bucket.prefix() + "/");
        Thread.sleep(1_000); // Qdrant names its snapshots to the second
        report = run();
        assertThat(report.getList("targets[0].offsite.pruned", String.class)).hasSize(1);
        assertThat(String.valueOf(report.getString("targets[0].offsite.message"))).doesNotContain("noncurrent");
        assertThat(Scrape.value("snapshotter_offsite_pruned_versions_kept")).isZero();
    }

    /**
     * Local rules that keep more than the bucket's (keep-last=3 in the directory, keep-last=1 off-site): a backup
     * off-site retention pruned is still in the directory, and the next run's catch-up does not copy it again only for
     * it to be pruned again; nor does local retention hold it for a copy that is not owed: the directory keeps three.
     * Before, every run uploaded the older local backup again (in this bucket, one more stored version of it each time)
     * and pruned it again.
     */
    @Test
    void aBackupPrunedOffSiteIsNotCopiedAgainByTheNextRun() throws Exception {
        String first = fileOf(run());
        Thread.sleep(1_000); // Qdrant names its snapshots to the second
        JsonPath second = run();
        assertThat(second.getList("targets[0].offsite.pruned", String.class)).containsExactly(first);

        Thread.sleep(1_000);
        JsonPath third = run();

        assertThat(third.getList("targets[0].offsite.caughtUp", String.class)).isNullOrEmpty();
        assertThat(third.getList("targets[0].offsite.pruned", String.class)).containsExactly(fileOf(second));
        assertThat(bucket.versions("kairos/" + first)).hasSize(1); // the one copy, pruned once
        assertThat(bucket.versions("kairos/" + fileOf(second))).hasSize(1);

        Thread.sleep(1_000);
        JsonPath fourth = run();
        assertThat(fourth.getList("targets[0].offsite.caughtUp", String.class)).isNullOrEmpty();
        assertThat(bucket.versions("kairos/" + fileOf(second))).hasSize(1);
        assertThat(qdrant.directory().list().stream().map(path -> path.getFileName().toString())
                .filter(name -> name.endsWith(".snap"))).containsExactlyInAnyOrder(fileOf(second), fileOf(third),
                        fileOf(fourth));
    }

    private static String fileOf(JsonPath report) {
        return Path.of(report.getString("targets[0].filePath")).getFileName().toString();
    }

    /** One of our snapshots of {@code kairos} from yesterday in the bucket, with its sidecars. */
    private String plantOurs() {
        String snapshot = SnapshotDir.fileName(Instant.now().minus(Duration.ofDays(1)), "kairos");
        bucket.plantOurs("kairos", snapshot, "{}");
        return snapshot;
    }

    private JsonPath run() {
        qdrant.snapshotServed("kairos", TestData.snapshot(5000));
        return ServiceApi.trigger().then().statusCode(200).extract().jsonPath();
    }
}
