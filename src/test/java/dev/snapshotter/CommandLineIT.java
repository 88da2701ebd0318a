package dev.snapshotter;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.snapshotter.support.PackagedApp;

/** The packaged executable's command line: help, version, and an unknown argument that starts nothing. */
class CommandLineIT {

    @TempDir
    Path temp;

    @Test
    void printsHelpWithTheModesVariablesAndExitCodesAndStartsNothing() throws Exception {
        Path dir = temp.resolve("snapshots");
        PackagedApp.Exit exit = PackagedApp.runUntilExit(Map.of("QDRANT_SNAPSHOT_DIR", dir.toString()), "--help");

        assertThat(exit.code()).isZero();
        assertThat(exit.output()).contains("application probe [path]").contains("QDRANT_SNAPSHOT_DIR")
                .contains("QDRANT_SNAPSHOT_API_TOKEN").contains("Exit codes:").doesNotContain("Listening on");
        assertThat(dir).doesNotExist();
    }

    @Test
    void printsTheVersion() throws Exception {
        PackagedApp.Exit exit = PackagedApp.runUntilExit(Map.of(), "--version");

        assertThat(exit.code()).isZero();
        assertThat(exit.output().strip()).matches("qdrant-snapshotter \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    }

    @Test
    void refusesAnUnknownArgumentWithoutStartingTheService() throws Exception {
        Path dir = temp.resolve("snapshots");
        PackagedApp.Exit exit = PackagedApp.runUntilExit(Map.of("QDRANT_SNAPSHOT_DIR", dir.toString()), "--snapshot-now");

        assertThat(exit.code()).isEqualTo(2);
        assertThat(exit.output()).contains("Unknown argument `--snapshot-now`").contains("--help")
                .doesNotContain("Listening on");
        assertThat(dir).doesNotExist();
    }

    @Test
    void warnsOfEveryEndpointAnOpenApiLeavesOpen() throws Exception {
        try (PackagedApp.Running app = PackagedApp.start(Map.of("QDRANT_URL", "http://127.0.0.1:9",
                "QDRANT_SNAPSHOT_DIR", temp.resolve("open").toString()))) {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> app.output().contains("The API is open"));
            String warning = app.output().lines().filter(line -> line.contains("The API is open")).findFirst()
                    .orElseThrow();
            assertThat(warning).contains("WARN").contains("POST /api/snapshot")
                    .contains("GET /api/snapshots ").contains("GET /api/snapshots/{file}")
                    .contains("POST /api/snapshots/{file}/verify").contains("DELETE /api/snapshots/{file}")
                    .contains("POST /api/snapshots/{file}/restore").contains("POST /api/restore ")
                    .contains("POST /api/drill")
                    .contains("GET /api/retention").contains("GET and DELETE /api/runs")
                    .contains("QDRANT_SNAPSHOT_API_TOKEN");
        }
    }

    @Test
    void warnsOfVariablesSetInVainWithoutShowingTheirValues() throws Exception {
        try (PackagedApp.Running app = PackagedApp.start(Map.of("QDRANT_URL", "http://127.0.0.1:9",
                "QDRANT_SNAPSHOT_DIR", temp.resolve("vain").toString(), "QDRANT_SNAPSHOT_S3_BUCKT", "hidden-bucket",
                "QDRANT_SNAPSHOT_S3_KEEP_DAILY", "7", "QDRANT_SNAPSHOT_COMPRESSION", "hidden-zstd",
                "QDRANT_VECTOR_SIZE", "384"))) {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> app.output().contains("Listening on"));
            assertThat(app.output().lines().filter(line -> line.contains("WARN") && line.contains("is set, but")))
                    .hasSize(3).anyMatch(line -> line.contains("QDRANT_SNAPSHOT_S3_BUCKT is set, but this service "
                            + "reads no variable of that name: did you mean QDRANT_SNAPSHOT_S3_BUCKET? It is ignored."))
                    .anyMatch(line -> line.contains("QDRANT_SNAPSHOT_COMPRESSION is set, but this service reads no "
                            + "variable of that name; it is ignored"))
                    .anyMatch(line -> line.contains("QDRANT_SNAPSHOT_S3_KEEP_DAILY is set, but "
                            + "QDRANT_SNAPSHOT_S3_BUCKET is not: off-site copies are off"));
            assertThat(app.output()).doesNotContain("hidden-").doesNotContain("QDRANT_VECTOR_SIZE");
        }
    }
}
