package dev.snapshotter.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

import dev.snapshotter.support.PackagedApp;

/**
 * Bad configuration stops the packaged application at boot with one sentence naming the variable, and before any
 * request reaches Qdrant.
 */
class BootFailureIT {

    @TempDir
    Path temp;

    private WireMockServer qdrant;

    @BeforeEach
    void startQdrant() {
        qdrant = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        qdrant.start();
    }

    @AfterEach
    void stopQdrant() {
        qdrant.stop();
    }

    @Test
    void refusesSnapshotDirThatIsAFile() throws Exception {
        Path file = Files.writeString(temp.resolve("not-a-dir"), "x");

        PackagedApp.Exit exit = boot(file.toString(), "true");

        assertThat(exit.code()).isNotZero();
        assertThat(exit.output()).contains("QDRANT_SNAPSHOT_DIR " + file.toAbsolutePath()
                + " is not a writable directory");
        assertThat(qdrant.getAllServeEvents()).isEmpty();
    }

    @Test
    void refusesSnapshotDirThatCannotBeWritten() throws Exception {
        Path readOnly;
        if ("root".equals(System.getProperty("user.name"))) {
            readOnly = Path.of("/sys"); // root ignores permission bits; sysfs refuses new files even to root
        } else {
            readOnly = Files.createDirectory(temp.resolve("read-only"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("r-xr-xr-x")));
        }

        PackagedApp.Exit exit = boot(readOnly.toString(), "false");

        assertThat(exit.code()).isNotZero();
        assertThat(exit.output()).contains("QDRANT_SNAPSHOT_DIR " + readOnly + " is not a writable directory (")
                .containsIgnoringCase("denied");
        assertThat(qdrant.getAllServeEvents()).isEmpty();
    }

    @Test
    void refusesUnknownSnapshotOnStartValue() throws Exception {
        PackagedApp.Exit exit = boot(temp.resolve("snapshots").toString(), "maybe");

        assertThat(exit.code()).isNotZero();
        assertThat(exit.output()).contains("QDRANT_SNAPSHOT_ON_START must be one of true/1/yes/y/on or "
                + "false/0/no/n/off (any case), but it is \"maybe\".");
        assertThat(qdrant.getAllServeEvents()).isEmpty();
    }

    private PackagedApp.Exit boot(String directory, String onStart) throws Exception {
        return PackagedApp.runUntilExit(Map.of(
                "QDRANT_URL", qdrant.baseUrl(),
                "QDRANT_API_KEY", "qk-SECRET-boot",
                "QDRANT_SNAPSHOT_DIR", directory,
                "QDRANT_SNAPSHOT_ON_START", onStart));
    }
}
