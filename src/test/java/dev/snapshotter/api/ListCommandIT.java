package dev.snapshotter.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.PackagedApp;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.S3Bucket;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.StandInPerTest;
import dev.snapshotter.support.TestData;

import io.restassured.path.json.JsonPath;

/**
 * {@code list} from the command line of the packaged executable, for disaster recovery without the HTTP server: every
 * verified backup as the JSON of {@code GET /api/snapshots}, newest first, with those only off-site, and the exit code
 * (0 listed, 1 the bucket could not be listed, 2 usage), whatever the boot snapshot and schedule settings say.
 */
@ExtendWith(StandInPerTest.class)
class ListCommandIT {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    private Map<String, String> environment() {
        // a boot snapshot, an overdue schedule and integrity checks are asked for: the command must run none
        return new HashMap<>(Map.of("QDRANT_URL", qdrant.url(), "QDRANT_API_KEY", QdrantStandIn.API_KEY,
                "QDRANT_SNAPSHOT_DIR", dir.directory().toString(), "QDRANT_SNAPSHOT_ON_START", "true",
                "QDRANT_SNAPSHOT_SCHEDULE", "every 1s", "QDRANT_SNAPSHOT_VERIFY_SCHEDULE", "every 1s"));
    }

    @Test
    void printsTheVerifiedSnapshotsNewestFirstAndExitsZero() throws Exception {
        Instant now = Instant.now();
        Path older = dir.plantSnapshot(now.minus(Duration.ofDays(2)), "kairos", TestData.snapshot(3000));
        Path newer = dir.plantSnapshot(now.minus(Duration.ofDays(1)), "kairos", TestData.snapshot(3001));

        PackagedApp.Exit exit = PackagedApp.runUntilExit(environment(), "list");

        assertThat(exit.code()).as(exit.output()).isEqualTo(ListCommand.LISTED);
        JsonPath listed = JsonPath.from(json(exit.output()));
        assertThat(listed.getList("file", String.class)).containsExactly(newer.getFileName().toString(),
                older.getFileName().toString());
        assertThat(listed.getList("location", String.class)).containsOnly("local");
        assertThat(listed.getString("[0].sha256")).isEqualTo(TestData.sha256(TestData.read(newer)));
        assertThat(exit.output()).doesNotContain("Listening on: http").doesNotContain(QdrantStandIn.SECRET_MARKER);
        assertThat(qdrant.creates()).isEmpty();
        assertThat(dir.directory().resolve(".integrity.json")).doesNotExist();
    }

    @Test
    void anEmptyDirectoryIsAnEmptyList() throws Exception {
        PackagedApp.Exit exit = PackagedApp.runUntilExit(environment(), "list");

        assertThat(exit.code()).as(exit.output()).isEqualTo(ListCommand.LISTED);
        assertThat(JsonPath.from(json(exit.output())).getList("$")).isEmpty();
    }

    @Test
    void anOptionItDoesNotTakeExitsTwoWithoutStarting() throws Exception {
        PackagedApp.Exit exit = PackagedApp.runUntilExit(environment(), "list", "--all");

        assertThat(exit.code()).isEqualTo(2); // the executable's usage exit, before any boot
        assertThat(exit.output()).contains("list: unknown option `--all`; see --help.").doesNotContain("Quarkus");
    }

    @Test
    void aBucketThatCannotBeListedExitsOneSayingWhyWithoutTheSecret() throws Exception {
        dir.plantSnapshot(Instant.now().minus(Duration.ofDays(1)), "kairos", TestData.snapshot(3000));
        Map<String, String> environment = environment();
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        environment.putAll(Map.of("QDRANT_SNAPSHOT_S3_BUCKET", "backups", "QDRANT_SNAPSHOT_S3_ENDPOINT",
                "http://127.0.0.1:" + closed, "QDRANT_SNAPSHOT_S3_PATH_STYLE", "true", "QDRANT_SNAPSHOT_S3_REGION",
                "us-east-1", "QDRANT_SNAPSHOT_S3_ACCESS_KEY", "AKIDLIST", "QDRANT_SNAPSHOT_S3_SECRET_KEY",
                "s3-SECRET-list"));

        PackagedApp.Exit exit = PackagedApp.runUntilExit(environment, "list");

        assertThat(exit.code()).as(exit.output()).isEqualTo(ListCommand.FAILED);
        assertThat(exit.output()).contains("List failed: ").contains("backups").doesNotContain("s3-SECRET-list")
                .doesNotContain("\tat ");
    }

    @Test
    @EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
    void listsTheBackupsOnlyOffSiteToo() throws Exception {
        String prefix = S3Bucket.freshPrefix();
        Instant now = Instant.now();
        Path local = dir.plantSnapshot(now.minus(Duration.ofDays(1)), "kairos", TestData.snapshot(3000));
        String remoteOnly = SnapshotDir.fileName(now.minus(Duration.ofDays(3)), "kairos");
        byte[] body = TestData.snapshot(2000);
        try (S3Bucket bucket = S3Bucket.under(prefix)) {
            bucket.plantBackup("kairos", remoteOnly, body, TestData.sha256(body));
            Map<String, String> environment = environment();
            environment.putAll(bucket.appEnvironment());

            PackagedApp.Exit exit = PackagedApp.runUntilExit(environment, "list");

            assertThat(exit.code()).as(exit.output()).isEqualTo(ListCommand.LISTED);
            JsonPath listed = JsonPath.from(json(exit.output()));
            assertThat(listed.getList("file", String.class)).containsExactly(local.getFileName().toString(),
                    remoteOnly);
            assertThat(listed.getString("[1].location")).isEqualTo("offsite");
            assertThat(listed.getString("[1].offsiteKey")).isEqualTo(prefix + "/kairos/" + remoteOnly);
            assertThat(listed.getString("[1].sha256")).isEqualTo(TestData.sha256(body));
            assertThat(exit.output()).doesNotContain(System.getenv("S3_SECRET_KEY"));
        }
    }

    /** The JSON array the command printed (pretty: {@code [ ]}, or {@code [ {} to {@code } ]}), without the log lines. */
    private static String json(String output) {
        List<String> lines = output.lines().toList();
        int start = 0;
        while (!lines.get(start).startsWith("[")) {
            start++;
        }
        int end = start;
        while (lines.get(end).startsWith(" ") || !lines.get(end).endsWith("]")) { // not a nested array's end
            end++;
        }
        return String.join("\n", lines.subList(start, end + 1));
    }
}
