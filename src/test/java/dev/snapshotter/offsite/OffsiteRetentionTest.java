package dev.snapshotter.offsite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.InjectS3;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.QdrantStandInResource;
import dev.snapshotter.support.S3Bucket;
import dev.snapshotter.support.S3Resource;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * {@code QDRANT_SNAPSHOT_S3_KEEP_LAST=2} over a bucket shared with other things, and {@code
 * QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false}: only our snapshots of the collection count and go, each with its sidecars;
 * the local file goes once its copy is confirmed.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithTestResource(QdrantStandInResource.class)
@WithTestResource(value = S3Resource.class, initArgs = {
        @ResourceArg(name = "qdrant.snapshot.s3.keep-last", value = "2"),
        @ResourceArg(name = "qdrant.snapshot.s3.keep-local", value = "false") })
@ExtendWith(SecretsStayHidden.class)
class OffsiteRetentionTest {

    private static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss-SSS'Z'")
            .withZone(ZoneOffset.UTC);

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

    @Test
    void prunesOnlyOurOlderSnapshotsWithTheirSidecarsAndRemovesTheLocalFile() {
        Instant now = Instant.now();
        String oldest = name(now.minus(Duration.ofDays(3)), "kairos");
        String older = name(now.minus(Duration.ofDays(2)), "kairos");
        String newer = name(now.minus(Duration.ofDays(1)), "kairos");
        for (String snapshot : new String[] { oldest, older, newer }) {
            bucket.put("kairos/" + snapshot, "old".getBytes());
            bucket.put("kairos/" + snapshot + ".sha256", "x".getBytes());
            bucket.put("kairos/" + snapshot + ".json", "{}".getBytes());
        }
        String otherCollection = name(now.minus(Duration.ofDays(9)), "other");
        bucket.put("other/" + otherCollection, "theirs".getBytes());
        bucket.put("kairos/notes.txt", "mine".getBytes());
        bucket.put("kairos/" + name(now.minus(Duration.ofDays(8)), "other"), "a stray".getBytes());
        String elsewhere = "elsewhere/kairos/" + name(now.minus(Duration.ofDays(7)), "kairos");
        bucket.putWhole(elsewhere, "not under our prefix".getBytes(), Map.of());
        qdrant.snapshotServed("kairos", TestData.snapshot(5000));

        JsonPath report = ServiceApi.trigger().then().statusCode(200).extract().jsonPath();

        String taken = Path.of(report.getString("targets[0].filePath")).getFileName().toString();
        assertThat(report.getList("targets[0].offsite.pruned", String.class)).containsExactlyInAnyOrder(oldest, older);
        assertThat(bucket.keys()).containsExactlyInAnyOrder("kairos/" + taken, "kairos/" + taken + ".sha256",
                "kairos/" + taken + ".json", "kairos/" + newer, "kairos/" + newer + ".sha256",
                "kairos/" + newer + ".json", "other/" + otherCollection, "kairos/notes.txt",
                "kairos/" + name(now.minus(Duration.ofDays(8)), "other"));
        assertThat(bucket.keys("elsewhere/")).contains(elsewhere);
        bucket.empty("elsewhere/");

        assertThat(report.getBoolean("targets[0].offsite.localRemoved")).isTrue();
        assertThat(dir.list()).noneMatch(file -> file.getFileName().toString().startsWith(taken));
    }

    private static String name(Instant at, String collection) {
        return NAME_TIME.format(at) + "-" + collection + ".snap";
    }
}
