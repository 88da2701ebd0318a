package dev.snapshotter.offsite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.InjectS3;
import dev.snapshotter.support.LogCapture;
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
 * {@code QDRANT_SNAPSHOT_S3_KEEP_LAST=2} over a bucket shared with other things, and {@code
 * QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false}: only our snapshots of the collection count and go, each with its sidecars;
 * the local file goes once its copy is confirmed.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn
@WithS3(config = { @ResourceArg(name = "qdrant.snapshot.s3.keep-last", value = "2"),
        @ResourceArg(name = "qdrant.snapshot.s3.keep-local", value = "false") })
@ExtendWith(SecretsStayHidden.class)
class OffsiteRetentionTest {

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
            plantOurs(snapshot, "{}");
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
        // a bucket without versions deletes what is pruned: nothing to say of noncurrent versions
        assertThat(String.valueOf(report.getString("targets[0].offsite.message"))).doesNotContain("noncurrent");
        assertThat(bucket.keys()).containsExactlyInAnyOrder("kairos/" + taken, "kairos/" + taken + ".sha256",
                "kairos/" + taken + ".json", "kairos/" + newer, "kairos/" + newer + ".sha256",
                "kairos/" + newer + ".json", "other/" + otherCollection, "kairos/notes.txt",
                "kairos/" + name(now.minus(Duration.ofDays(8)), "other"));
        assertThat(bucket.keys("elsewhere/")).contains(elsewhere);
        bucket.empty("elsewhere/");

        assertThat(report.getBoolean("targets[0].offsite.localRemoved")).isTrue();
        assertThat(dir.list()).noneMatch(file -> file.getFileName().toString().startsWith(taken));
    }

    @Test
    void anObjectThatCannotBeVerifiedNeitherCountsNorGoes() {
        Instant now = Instant.now();
        String older = name(now.minus(Duration.ofDays(2)), "kairos");
        plantOurs(older, "{}");
        // named like a snapshot of yesterday, put there by another tool: no SHA-256 of ours, no checksum file
        String unverifiable = name(now.minus(Duration.ofDays(1)), "kairos");
        bucket.put("kairos/" + unverifiable, "theirs".getBytes());
        qdrant.snapshotServed("kairos", TestData.snapshot(5000));

        JsonPath report = ServiceApi.trigger().then().statusCode(200).extract().jsonPath();

        String taken = Path.of(report.getString("targets[0].filePath")).getFileName().toString();
        assertThat(report.getList("targets[0].offsite.pruned", String.class)).isNullOrEmpty();
        assertThat(bucket.keys()).containsExactlyInAnyOrder("kairos/" + taken, "kairos/" + taken + ".sha256",
                "kairos/" + taken + ".json", "kairos/" + older, "kairos/" + older + ".sha256",
                "kairos/" + older + ".json", "kairos/" + unverifiable);
    }

    /**
     * The collection was emptied: the bucket holds its last good backup (1234 points, three days ago) and two backups
     * of nothing since, and the run backs up nothing again. Off-site retention keeps the good one while the newer ones
     * hold none (its manifest says so), with a remark; the rule prunes the empty one it does not keep. Before, the good
     * one went too.
     */
    @Test
    void theNewestBackupThatHoldsPointsOutlivesBackupsOfAnEmptiedCollection() {
        Instant now = Instant.now();
        String good = name(now.minus(Duration.ofDays(3)), "kairos");
        String empty = name(now.minus(Duration.ofDays(2)), "kairos");
        String emptyToo = name(now.minus(Duration.ofDays(1)), "kairos");
        for (String snapshot : new String[] { good, empty, emptyToo }) {
            long points = snapshot.equals(good) ? 1234 : 0;
            plantOurs(snapshot, "{\"points\":{\"before\":" + points + ",\"after\":" + points + ",\"count\":" + points
                    + ",\"min\":" + points + ",\"max\":" + points + "}}");
        }
        qdrant.pointsCounted("kairos", 0);
        qdrant.snapshotServed("kairos", TestData.snapshot(5000));

        JsonPath report = ServiceApi.trigger().then().statusCode(200).extract().jsonPath();

        String taken = Path.of(report.getString("targets[0].filePath")).getFileName().toString();
        assertThat(report.getList("targets[0].offsite.pruned", String.class)).containsExactly(empty);
        assertThat(report.getString("targets[0].offsite.message"))
                .contains("Off-site retention: Kept " + good + " although keep-last=2 "
                        + "would delete it: it is the newest backup that holds points, and the 3 newer one(s) hold none");
        assertThat(bucket.keys()).contains("kairos/" + taken, "kairos/" + emptyToo, "kairos/" + good,
                "kairos/" + good + ".sha256", "kairos/" + good + ".json").doesNotContain("kairos/" + empty);
    }

    /**
     * The older of two backups, both only off-site, restored over the collection: the snapshot taken of it first makes
     * three, and {@code keep-last=2} would prune the one being restored from the bucket. It is left for the next run,
     * said at INFO, and that run prunes it. Before, the restore's own safety snapshot deleted it off-site: the backup
     * the operator chose to go back to was gone from the bucket (with {@code KEEP_LOCAL=false}, on a pod without a
     * volume, gone for good at the next restart).
     */
    @Test
    void theBackupBeingRestoredOutlivesTheOffsiteRetentionOfTheSnapshotTakenBeforeIt() throws Exception {
        Instant now = Instant.now();
        Path chosen = dir.plantRestorable(QdrantStandIn.POINTS, now.minus(Duration.ofDays(2)));
        Path newer = dir.plantRestorable(QdrantStandIn.POINTS, now.minus(Duration.ofDays(1)));
        S3Bucket.moveOffsite(chosen, bucket.prefix());
        S3Bucket.moveOffsite(newer, bucket.prefix());
        String file = chosen.getFileName().toString();
        qdrant.snapshotServed("kairos", TestData.snapshot(2000));
        qdrant.restoresUploadsOver("kairos", 1);
        qdrant.aliasesUpdated();

        try (LogCapture logs = LogCapture.install()) {
            api().contentType("application/json").body("{\"overwrite\":true}").post("/api/snapshots/" + file
                    + "/restore").then().statusCode(200).body("status", org.hamcrest.Matchers.equalTo("completed"))
                    .body("safetySnapshot", org.hamcrest.Matchers.notNullValue());
            assertThat(bucket.keys()).contains("kairos/" + file, "kairos/" + file + ".sha256",
                    "kairos/" + file + ".json");
            assertThat(logs.appLines()).anyMatch(line -> line.contains("INFO") && line.contains(
                    "Off-site retention left " + file + " for a later pruning, although keep-last=2 would delete it: "
                            + "a restore or drill is reading snapshots, which it may fetch from the bucket"));
        }

        Thread.sleep(1_000); // Qdrant names its snapshots to the second
        qdrant.snapshotServed("kairos", TestData.snapshot(2001));
        assertThat(ServiceApi.trigger().then().statusCode(200).extract().jsonPath()
                .getList("targets[0].offsite.pruned", String.class))
                .containsExactlyInAnyOrder(file, newer.getFileName().toString());
        assertThat(bucket.keys()).noneMatch(key -> key.startsWith("kairos/" + file));
    }

    @Test
    void aSnapshotOnlyOffSiteIsListedServedVerifiedAndRestoredByFetchingItFirst() throws Exception {
        byte[] body = TestData.snapshot(50_000);
        qdrant.snapshotServed("kairos", body);
        JsonPath report = ServiceApi.trigger().then().statusCode(200).extract().jsonPath();
        String file = Path.of(report.getString("targets[0].filePath")).getFileName().toString();
        assertThat(dir.list()).noneMatch(f -> f.getFileName().toString().startsWith(file));

        JsonPath listed = api().get("/api/snapshots").then().statusCode(200).extract().jsonPath();
        assertThat(listed.getString("find { it.file == '" + file + "' }.location")).isEqualTo("offsite");
        assertThat(listed.getString("find { it.file == '" + file + "' }.offsiteKey"))
                .isEqualTo(bucket.prefix() + "/kairos/" + file);
        assertThat(listed.getString("find { it.file == '" + file + "' }.sha256")).isEqualTo(TestData.sha256(body));

        byte[] served = api().get("/api/snapshots/" + file).then().statusCode(200).header("ETag",
                "\"" + TestData.sha256(body) + "\"").extract().asByteArray();
        assertThat(served).isEqualTo(body);
        byte[] part = api().header("Range", "bytes=100-199").get("/api/snapshots/" + file).then().statusCode(206)
                .header("Content-Range", "bytes 100-199/" + body.length).extract().asByteArray();
        assertThat(part).isEqualTo(java.util.Arrays.copyOfRange(body, 100, 200));
        assertThat(api().get("/api/snapshots/" + file + ".sha256").then().statusCode(200).extract().asString())
                .isEqualTo(TestData.sha256(body) + "  " + file + "\n");
        byte[] manifest = api().get("/api/snapshots/" + file + ".json").then().statusCode(200)
                .contentType(org.hamcrest.Matchers.containsString("json")).extract().asByteArray();
        assertThat(new String(manifest)).contains("\"collection\"");
        // a sidecar missing off-site is a 404 that says which, not an empty 200 or a 500
        bucket.empty(bucket.prefix() + "/kairos/" + file + ".json");
        api().get("/api/snapshots/" + file + ".json").then().statusCode(404).body("detail",
                org.hamcrest.Matchers.equalTo(file + " has no .json off-site."));
        bucket.put("kairos/" + file + ".json", manifest);
        api().post("/api/snapshots/" + file + "/verify").then().statusCode(200).body("verified",
                org.hamcrest.Matchers.equalTo(true));

        qdrant.restoresUploads("kairos_restored", QdrantStandIn.POINTS, SnapshotDir.uploadName(Path.of(file)));
        api().contentType("application/json").body("{\"collection\":\"kairos_restored\"}")
                .post("/api/snapshots/" + file + "/restore").then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("completed"));
        // fetched first, verified, into the directory, with its manifest
        assertThat(dir.list()).contains(dir.directory().resolve(file), dir.directory().resolve(file + ".sha256"),
                dir.directory().resolve(file + ".json"));
    }

    /**
     * A dry run of a snapshot only off-site fetches it to check it (its SHA-256 and archive), and removes it again: a
     * dry run leaves the directory as it was. Before, the fetched file stayed, taking the volume's space.
     */
    @Test
    void aDryRunOfASnapshotOnlyOffSiteLeavesTheDirectoryAsItWas() {
        qdrant.snapshotServed("kairos", TestData.snapshot(50_000));
        String file = Path.of(ServiceApi.trigger().then().statusCode(200).extract().jsonPath()
                .getString("targets[0].filePath")).getFileName().toString();
        java.util.List<Path> before = dir.list();
        assertThat(before).noneMatch(f -> f.getFileName().toString().startsWith(file));
        qdrant.collectionMissing("kairos_restored");

        JsonPath report = api().contentType("application/json")
                .body("{\"collection\":\"kairos_restored\",\"dryRun\":true}").post("/api/snapshots/" + file + "/restore")
                .then().statusCode(200).extract().jsonPath();

        assertThat(report.getString("status")).isEqualTo("checked");
        assertThat(report.getList("remarks", String.class)).contains("Fetched " + file + " from the bucket to check "
                + "it, and removed it again: a dry run leaves the directory as it was");
        assertThat(dir.list()).isEqualTo(before);
        assertThat(qdrant.requests("POST", "/collections/kairos_restored/snapshots/upload")).isEmpty();

        // a refused dry run leaves nothing either: kairos exists, and no overwrite is asked
        api().contentType("application/json").body("{\"dryRun\":true}").post("/api/snapshots/" + file + "/restore")
                .then().statusCode(409);
        assertThat(dir.list()).isEqualTo(before);
    }

    /**
     * One of our copies whose checksum file was deleted since (by hand, another tool): as the listing has it, no
     * backup; it is neither served nor restored by its name. Before, its name alone still served and restored it,
     * from the SHA-256 recorded with the object.
     */
    @Test
    void ourCopyWhoseChecksumFileWentIsNeitherServedNorRestored() {
        qdrant.snapshotServed("kairos", TestData.snapshot(5000));
        String file = Path.of(ServiceApi.trigger().then().statusCode(200).extract().jsonPath()
                .getString("targets[0].filePath")).getFileName().toString();
        bucket.empty(bucket.prefix() + "/kairos/" + file + ".sha256");

        assertThat(api().get("/api/snapshots").then().statusCode(200).extract().jsonPath()
                .getList("file", String.class)).doesNotContain(file);
        api().get("/api/snapshots/" + file).then().statusCode(404);
        api().post("/api/snapshots/" + file + "/verify").then().statusCode(404);
        api().contentType("application/json").body("{\"collection\":\"kairos_restored\",\"dryRun\":true}")
                .post("/api/snapshots/" + file + "/restore").then().statusCode(404);
    }

    private static io.restassured.specification.RequestSpecification api() {
        return io.restassured.RestAssured.given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN);
    }

    /** One of our snapshots of {@code kairos} in the bucket: the file, its checksum file and this manifest. */
    private void plantOurs(String snapshot, String manifest) {
        bucket.plantOurs("kairos", snapshot, manifest);
    }

    private static String name(Instant at, String collection) {
        return SnapshotDir.fileName(at, collection);
    }
}
