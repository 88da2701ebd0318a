package dev.snapshotter.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

import com.github.tomakehurst.wiremock.WireMockServer;

import dev.snapshotter.support.PackagedApp;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.S3Bucket;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;

/**
 * {@code restore} from the command line of the packaged executable, for disaster recovery without the HTTP server:
 * the report on stdout and the exit code (0 restored or a dry run's checks passed, 1 failed, 2 usage, 3 refused), whatever the
 * boot snapshot and
 * schedule settings say.
 */
class RestoreCommandIT {

    @TempDir
    Path temp;

    WireMockServer server;
    QdrantStandIn qdrant;
    SnapshotDir dir;

    @BeforeEach
    void startQdrant() {
        server = new WireMockServer(QdrantStandIn.loopback());
        server.start();
        dir = new SnapshotDir(temp);
        qdrant = QdrantStandIn.on(server, dir, null);
        qdrant.reset();
    }

    @AfterEach
    void stopQdrant() {
        server.stop();
    }

    private Map<String, String> environment() {
        // a boot snapshot, an overdue schedule and integrity checks are asked for: the command must run none
        return Map.of("QDRANT_URL", qdrant.url(), "QDRANT_API_KEY", QdrantStandIn.API_KEY,
                "QDRANT_SNAPSHOT_DIR", temp.toString(), "QDRANT_SNAPSHOT_ON_START", "true",
                "QDRANT_SNAPSHOT_SCHEDULE", "every 1s", "QDRANT_SNAPSHOT_VERIFY_SCHEDULE", "every 1s");
    }

    @Test
    void restoresTheNewestSnapshotIntoAnotherCollectionAndExitsZero() throws Exception {
        Path planted = dir.plantRestorable(QdrantStandIn.POINTS);
        qdrant.restoresUploads("kairos_dr", QdrantStandIn.POINTS, SnapshotDir.uploadName(planted));
        qdrant.aliasesUpdated();

        PackagedApp.Exit exit = PackagedApp.runUntilExit(environment(), "restore", "--latest", "--collection",
                "kairos_dr");

        assertThat(exit.code()).as(exit.output()).isEqualTo(RestoreCommand.RESTORED);
        assertThat(exit.output()).contains("\"status\" : \"completed\"")
                .contains("\"file\" : \"" + planted.getFileName() + "\"").contains("\"collection\" : \"kairos_dr\"")
                .contains("\"pointsFound\" : " + QdrantStandIn.POINTS).doesNotContain("Listening on: http")
                .doesNotContain("The API is open");
        assertThat(qdrant.requests("POST", "/collections/kairos_dr/snapshots/upload")).hasSize(1);
        assertThat(qdrant.creates()).filteredOn(r -> !r.getUrl().contains("/upload")).isEmpty();
        assertThat(exit.output()).doesNotContain("Integrity check");
        assertThat(temp.resolve(".integrity.json")).doesNotExist();
    }

    /**
     * With a bucket and {@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false}, the service would copy the local backups off-site
     * at boot and then remove them locally. A restore from the command line does the restore only: the bucket and the
     * directory are as they were (the upload takes 3 s, time enough for that boot work to happen were it started), and
     * the scratch collections earlier drills left on Qdrant, which the service drops once its boot has settled, too.
     */
    @Test
    @EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
    void aRestoreLeavesTheBucketAndTheOtherBackupsAlone() throws Exception {
        Path older = dir.plantRestorable(QdrantStandIn.POINTS, Instant.now().minus(Duration.ofDays(2)));
        Path newest = dir.plantRestorable(QdrantStandIn.POINTS, Instant.now().minus(Duration.ofDays(1)));
        qdrant.restoresUploads("kairos_dr", QdrantStandIn.POINTS, SnapshotDir.uploadName(newest), 3_000);
        qdrant.aliasesUpdated();
        qdrant.scratchLeft();
        try (S3Bucket bucket = S3Bucket.under(S3Bucket.freshPrefix())) {
            Map<String, String> environment = offsiteEnvironment(bucket);
            environment.put("QDRANT_SNAPSHOT_S3_KEEP_LOCAL", "false");

            PackagedApp.Exit exit = PackagedApp.runUntilExit(environment, "restore", "--latest", "--collection",
                    "kairos_dr");

            assertThat(exit.code()).as(exit.output()).isEqualTo(RestoreCommand.RESTORED);
            assertThat(exit.output()).contains("\"file\" : \"" + newest.getFileName() + "\"")
                    .doesNotContain("Off-site catch-up").doesNotContain(System.getenv("S3_SECRET_KEY"));
            assertThat(bucket.keys()).isEmpty();
            assertThat(older).exists();
            assertThat(newest).exists();
            assertThat(qdrant.requests("DELETE", "/collections/drill-kairos-")).isEmpty();
        }
    }

    /** A pod that lost its volume: the newest backup is only in the bucket, and the command fetches it from there. */
    @Test
    @EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
    void restoresABackupOnlyOffSite() throws Exception {
        String prefix = S3Bucket.freshPrefix();
        Path planted = dir.plantRestorable(QdrantStandIn.POINTS);
        S3Bucket.moveOffsite(planted, prefix);
        qdrant.restoresUploads("kairos_dr", QdrantStandIn.POINTS, SnapshotDir.uploadName(planted));
        qdrant.aliasesUpdated();
        try (S3Bucket bucket = S3Bucket.under(prefix)) {
            PackagedApp.Exit exit = PackagedApp.runUntilExit(offsiteEnvironment(bucket), "restore", "--latest",
                    "--collection", "kairos_dr");

            assertThat(exit.code()).as(exit.output()).isEqualTo(RestoreCommand.RESTORED);
            assertThat(exit.output()).contains("\"file\" : \"" + planted.getFileName() + "\"")
                    .contains("\"pointsFound\" : " + QdrantStandIn.POINTS)
                    .doesNotContain(System.getenv("S3_SECRET_KEY"));
            assertThat(qdrant.requests("POST", "/collections/kairos_dr/snapshots/upload")).hasSize(1);
        }
    }

    /**
     * Two restorable backups, taken 3 hours and 1 hour before {@code now}; the older one is the one a restore into
     * {@code kairos_dr} may upload.
     */
    private Path plantThreeAndOneHourOld(Instant now) {
        Path older = dir.plantRestorable(QdrantStandIn.POINTS, now.minus(Duration.ofHours(3)));
        dir.plantRestorable(QdrantStandIn.POINTS, now.minus(Duration.ofHours(1)));
        qdrant.restoresUploads("kairos_dr", QdrantStandIn.POINTS, SnapshotDir.uploadName(older));
        qdrant.aliasesUpdated();
        return older;
    }

    /** {@link #environment()} with the tests' bucket under {@code bucket}'s prefix. */
    private Map<String, String> offsiteEnvironment(S3Bucket bucket) {
        Map<String, String> environment = new HashMap<>(environment());
        environment.putAll(bucket.appEnvironment());
        return environment;
    }

    @Test
    void aRefusalExitsThreeWithItsSentence() throws Exception {
        Path planted = dir.plantRestorable(QdrantStandIn.POINTS); // kairos exists on the stand-in

        PackagedApp.Exit exit = PackagedApp.runUntilExit(environment(), "restore", "--file",
                planted.getFileName().toString());

        assertThat(exit.code()).as(exit.output()).isEqualTo(RestoreCommand.REFUSED);
        assertThat(exit.output()).contains("Restore refused: Collection `kairos` exists on Qdrant at " + qdrant.url()
                + "; restore into another name, or ask to overwrite it");
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).isEmpty();
    }

    @Test
    void aFailedRestoreExitsOne() throws Exception {
        Path planted = dir.plantRestorable(QdrantStandIn.POINTS);
        qdrant.restoresUploads("kairos_dr", 3, SnapshotDir.uploadName(planted));

        PackagedApp.Exit exit = PackagedApp.runUntilExit(environment(), "restore", "--collection", "kairos_dr",
                "--no-aliases");

        assertThat(exit.code()).as(exit.output()).isEqualTo(RestoreCommand.FAILED);
        assertThat(exit.output()).contains("\"status\" : \"failed\"").contains("has 3 points after the restore");
    }

    /**
     * An upload Qdrant had whole but did not answer in time: the command, which ends with its restore, says what to do
     * once Qdrant's restore ended, not that the service follows it.
     */
    @Test
    void anUploadQdrantDidNotAnswerInTimeSaysWhatToDoOnceItsRestoreEnded() throws Exception {
        Path planted = dir.plantRestorable(QdrantStandIn.POINTS);
        qdrant.collectionMissing("kairos_dr");
        qdrant.restoresUploads("kairos_dr", QdrantStandIn.POINTS, SnapshotDir.uploadName(planted), 2_500);
        Map<String, String> environment = new java.util.HashMap<>(environment());
        environment.put("QDRANT_SNAPSHOT_TIMEOUT", "1s");

        PackagedApp.Exit exit = PackagedApp.runUntilExit(environment, "restore", "--collection", "kairos_dr",
                "--no-aliases");

        assertThat(exit.code()).as(exit.output()).isEqualTo(RestoreCommand.FAILED);
        assertThat(exit.output()).contains("\"qdrantStillRestoring\" : true")
                .contains("This command does not follow Qdrant's restore: once Qdrant's log shows that it ended "
                        + "restoring " + planted.getFileName() + ", restore again with overwrite (which checks the "
                        + "collection), or drop `kairos_dr`")
                .doesNotContain("The service follows");
    }

    @Test
    void overwritingSnapshotsTheCollectionFirstUnlessToldNotTo() throws Exception {
        Path planted = dir.plantRestorable(QdrantStandIn.POINTS);
        qdrant.restoresUploadsOver("kairos", 1);
        qdrant.aliasesUpdated();
        qdrant.snapshotServed("kairos", TestData.snapshot(40_000));

        PackagedApp.Exit exit = PackagedApp.runUntilExit(environment(), "restore", "--latest", "--overwrite");

        assertThat(exit.code()).as(exit.output()).isEqualTo(RestoreCommand.RESTORED);
        assertThat(exit.output()).contains("\"status\" : \"completed\"").containsPattern(
                "\"safetySnapshot\" : \"[0-9T-]+Z-kairos\\.snap\"");
        assertThat(qdrant.creates()).filteredOn(r -> !r.getUrl().contains("/upload")).hasSize(1);
        assertThat(dir.list()).hasSize(6); // the planted snapshot and the one taken first, each with its two files

        PackagedApp.Exit without = PackagedApp.runUntilExit(environment(), "restore", "--file",
                planted.getFileName().toString(), "--overwrite", "--no-safety-snapshot");

        assertThat(without.code()).as(without.output()).isEqualTo(RestoreCommand.RESTORED);
        assertThat(without.output()).doesNotContain("\"safetySnapshot\"")
                .contains("No snapshot of `kairos` was taken before it was overwritten (safetySnapshot: false)");
        assertThat(qdrant.creates()).filteredOn(r -> !r.getUrl().contains("/upload")).hasSize(1);
    }

    @Test
    void aDryRunChecksAndExitsZeroWithoutUploading() throws Exception {
        Path planted = dir.plantRestorable(QdrantStandIn.POINTS);
        qdrant.restoresUploadsOver("kairos", 1);

        PackagedApp.Exit exit = PackagedApp.runUntilExit(environment(), "restore", "--latest", "--overwrite",
                "--dry-run");

        assertThat(exit.code()).as(exit.output()).isEqualTo(RestoreCommand.RESTORED);
        assertThat(exit.output()).contains("\"status\" : \"checked\"").contains("\"overwritten\" : true")
                .contains("a restore would overwrite collection `kairos` from " + planted.getFileName())
                .contains("A restore would snapshot `kairos` first (safetySnapshot)");
        assertThat(qdrant.creates()).isEmpty(); // no safety snapshot, no upload
        assertThat(dir.list()).hasSize(3);
    }

    @Test
    void beforeRestoresTheNewestSnapshotTakenBeforeThatTime() throws Exception {
        Instant now = Instant.now();
        Path older = plantThreeAndOneHourOld(now);

        PackagedApp.Exit exit = PackagedApp.runUntilExit(environment(), "restore", "--before",
                now.minus(Duration.ofHours(2)).toString(), "--collection", "kairos_dr");

        assertThat(exit.code()).as(exit.output()).isEqualTo(RestoreCommand.RESTORED);
        assertThat(exit.output()).contains("\"status\" : \"completed\"")
                .contains("\"file\" : \"" + older.getFileName() + "\"");
        assertThat(qdrant.requests("POST", "/collections/kairos_dr/snapshots/upload")).hasSize(1);

        PackagedApp.Exit none = PackagedApp.runUntilExit(environment(), "restore", "--before",
                now.minus(Duration.ofHours(4)).toString(), "--collection", "kairos_dr");

        assertThat(none.code()).as(none.output()).isEqualTo(RestoreCommand.REFUSED);
        assertThat(none.output()).contains("Restore refused: No verified snapshot of `kairos` (QDRANT_COLLECTION) "
                + "taken before " + now.minus(Duration.ofHours(4)) + " is in " + temp);
    }

    /** At a prompt, in an incident: "the newest backup from before the bad deploy, about two hours ago". */
    @Test
    void beforeTakesHowLongAgo() throws Exception {
        Path older = plantThreeAndOneHourOld(Instant.now());

        PackagedApp.Exit exit = PackagedApp.runUntilExit(environment(), "restore", "--before", "2h", "--collection",
                "kairos_dr");

        assertThat(exit.code()).as(exit.output()).isEqualTo(RestoreCommand.RESTORED);
        assertThat(exit.output()).contains("\"file\" : \"" + older.getFileName() + "\"");
        assertThat(qdrant.requests("POST", "/collections/kairos_dr/snapshots/upload")).hasSize(1);
    }

    @Test
    void aBeforeThatIsNoTimeExitsTwoWithoutStarting() throws Exception {
        PackagedApp.Exit exit = PackagedApp.runUntilExit(environment(), "restore", "--before", "2026-11-24 14:05");

        assertThat(exit.code()).isEqualTo(RestoreCommand.USAGE);
        assertThat(exit.output()).contains("restore: --before must be a time with its UTC offset, like "
                + "2026-11-24T14:05:00Z, or how long ago, like 90m, 3h or 2d, but it is \"2026-11-24 14:05\"; see "
                + "--help.");
        assertThat(PackagedApp.runUntilExit(environment(), "restore", "--before", "3w").code())
                .isEqualTo(RestoreCommand.USAGE);
        assertThat(server.getAllServeEvents()).isEmpty();

        PackagedApp.Exit both = PackagedApp.runUntilExit(environment(), "restore", "--latest", "--before",
                "2026-11-24T14:05:00Z");

        assertThat(both.code()).isEqualTo(RestoreCommand.USAGE);
        assertThat(both.output()).contains("restore: --file, --latest and --before exclude each other; see --help.");
    }

    @Test
    void anOptionItDoesNotTakeExitsTwoWithoutStarting() throws Exception {
        PackagedApp.Exit exit = PackagedApp.runUntilExit(environment(), "restore", "--fiel", "x");

        assertThat(exit.code()).isEqualTo(RestoreCommand.USAGE);
        assertThat(exit.output()).contains("restore: unknown option `--fiel`; see --help.");
        assertThat(server.getAllServeEvents()).isEmpty();
    }
}
