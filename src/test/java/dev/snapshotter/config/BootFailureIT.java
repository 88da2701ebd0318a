package dev.snapshotter.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.github.tomakehurst.wiremock.WireMockServer;

import dev.snapshotter.support.PackagedApp;
import dev.snapshotter.support.QdrantStandIn;

/**
 * Bad configuration stops the packaged application at boot with one sentence naming the variable, and before any
 * request reaches Qdrant. Each test boots its own process with its own stand-in and directory, so they run two at a
 * time (failsafe's parallel settings in pom.xml). Each method, not the class, is marked concurrent: the class itself
 * runs alone, as every other class does, so no timed test elsewhere shares the machine with these boots.
 */
class BootFailureIT {

    @TempDir
    Path temp;

    private WireMockServer qdrant;

    @BeforeEach
    void startQdrant() {
        qdrant = new WireMockServer(QdrantStandIn.loopback());
        qdrant.start();
    }

    @AfterEach
    void stopQdrant() {
        qdrant.stop();
    }

    @Execution(ExecutionMode.CONCURRENT)
    @Test
    void refusesSnapshotDirThatIsAFile() throws Exception {
        Path file = Files.writeString(temp.resolve("not-a-dir"), "x");

        PackagedApp.Exit exit = boot(file.toString(), "true");

        assertThat(exit.code()).isNotZero();
        assertThat(exit.output()).contains("QDRANT_SNAPSHOT_DIR " + file.toAbsolutePath()
                + " is not a writable directory");
        assertOneSentenceNoTrace(exit);
        assertThat(qdrant.getAllServeEvents()).isEmpty();
    }

    @Execution(ExecutionMode.CONCURRENT)
    @Test
    void refusesMissingCaFileInOneSentence() throws Exception {
        PackagedApp.Exit exit = PackagedApp.runUntilExit(Map.of("QDRANT_URL", qdrant.baseUrl(),
                "QDRANT_SNAPSHOT_DIR", temp.resolve("snapshots").toString(),
                "QDRANT_CA_CERT_PATH", temp.resolve("missing-ca.pem").toString()));

        assertThat(exit.code()).isNotZero();
        assertThat(exit.output()).contains("Boot failed: QDRANT_CA_CERT_PATH " + temp.resolve("missing-ca.pem")
                + " is not a readable file");
        assertOneSentenceNoTrace(exit);
        assertThat(qdrant.getAllServeEvents()).isEmpty();
    }

    /** Every bad value of every variable: one sentence naming it, no library codes, no stack trace, no request. */
    @Execution(ExecutionMode.CONCURRENT)
    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "QDRANT_SNAPSHOT_TIMEOUT|abc|QDRANT_SNAPSHOT_TIMEOUT must be a duration from 1s to 24h",
            "QDRANT_SNAPSHOT_TIMEOUT|0s|QDRANT_SNAPSHOT_TIMEOUT must be a duration from 1s to 24h",
            "QDRANT_WAIT_TIMEOUT|110000d|QDRANT_WAIT_TIMEOUT must be a duration from 1s to 7d",
            "QDRANT_WAIT_TIMEOUT|-5s|QDRANT_WAIT_TIMEOUT must be a duration from 1s to 7d",
            "QDRANT_WAIT_TIMEOUT|0|QDRANT_WAIT_TIMEOUT must be a duration from 1s to 7d",
            "QDRANT_SNAPSHOT_STALL_TIMEOUT|0s|QDRANT_SNAPSHOT_STALL_TIMEOUT must be a duration from 1s to 24h",
            "QDRANT_SNAPSHOT_STALL_TIMEOUT|-1m|QDRANT_SNAPSHOT_STALL_TIMEOUT must be a duration from 1s to 24h",
            "QDRANT_COLLECTION|''|QDRANT_COLLECTION must not be empty",
            "QDRANT_COLLECTION|'  '|QDRANT_COLLECTION must not be empty",
            "QDRANT_SNAPSHOT_DIR|''|QDRANT_SNAPSHOT_DIR must not be empty",
            "QDRANT_URL|http://qdrant:6333/#x|QDRANT_URL must be an http:// or https:// URL",
            "QDRANT_URL|qdrant:6333|QDRANT_URL must be an http:// or https:// URL",
            "QDRANT_SNAPSHOT_DOWNLOAD_URL|ftp://qdrant|QDRANT_SNAPSHOT_DOWNLOAD_URL must be an http:// or https:// URL",
            "QDRANT_SNAPSHOT_ON_START_REQUIRED|sure|QDRANT_SNAPSHOT_ON_START_REQUIRED must be one of true/1/yes/y/on",
            // the converters below serve several variables each: the sentence names the one set
            "QDRANT_SNAPSHOT_DELETE_REMOTE|nope|QDRANT_SNAPSHOT_DELETE_REMOTE must be one of true/1/yes/y/on",
            "QDRANT_SNAPSHOT_RESTORE_IF_MISSING|2|QDRANT_SNAPSHOT_RESTORE_IF_MISSING must be one of true/1/yes/y/on",
            "QDRANT_SNAPSHOT_VERIFY_OFFSITE|maybe|QDRANT_SNAPSHOT_VERIFY_OFFSITE must be one of true/1/yes/y/on",
            "QDRANT_DRILL_URL|qdrant-drill:6333|QDRANT_DRILL_URL must be an http:// or https:// URL",
            "QDRANT_SNAPSHOT_KEEP_LAST|0|QDRANT_SNAPSHOT_KEEP_LAST must be a whole number of at least 1",
            "QDRANT_SNAPSHOT_KEEP_LAST|five|QDRANT_SNAPSHOT_KEEP_LAST must be a whole number of at least 1",
            "QDRANT_SNAPSHOT_KEEP_WITHIN|0s|QDRANT_SNAPSHOT_KEEP_WITHIN must be a duration from 1m",
            "QDRANT_SNAPSHOT_KEEP_WITHIN|week|QDRANT_SNAPSHOT_KEEP_WITHIN must be a duration from 1m",
            // one converter serves the eight calendar rules: the sentence still names the variable set
            "QDRANT_SNAPSHOT_KEEP_DAILY|0|QDRANT_SNAPSHOT_KEEP_DAILY must be a whole number of at least 1 (how many periods that hold a backup to keep the newest of), or unset, but it is \"0\".",
            "QDRANT_SNAPSHOT_KEEP_WEEKLY|four|QDRANT_SNAPSHOT_KEEP_WEEKLY must be a whole number of at least 1",
            "QDRANT_SNAPSHOT_KEEP_MONTHLY|-1|QDRANT_SNAPSHOT_KEEP_MONTHLY must be a whole number of at least 1",
            "QDRANT_SNAPSHOT_KEEP_YEARLY|1.5|QDRANT_SNAPSHOT_KEEP_YEARLY must be a whole number of at least 1",
            "QDRANT_SNAPSHOT_ON_START_MIN_INTERVAL|-1h|QDRANT_SNAPSHOT_ON_START_MIN_INTERVAL must be a duration",
            "QDRANT_SNAPSHOT_SCHEDULE|0 0 25 * * ?|QDRANT_SNAPSHOT_SCHEDULE must be",
            "QDRANT_SNAPSHOT_SCHEDULE|every soon|QDRANT_SNAPSHOT_SCHEDULE must be",
            "QDRANT_SNAPSHOT_SCHEDULE_RETRY|-5m|QDRANT_SNAPSHOT_SCHEDULE_RETRY must be a duration from 0s to 24h",
            "QDRANT_SNAPSHOT_DRILL_SCHEDULE|every soon|QDRANT_SNAPSHOT_DRILL_SCHEDULE must be",
            "QDRANT_SNAPSHOT_VERIFY_SCHEDULE|0 0 25 * * ?|QDRANT_SNAPSHOT_VERIFY_SCHEDULE must be",
            "QDRANT_SNAPSHOT_VERIFY_RATE|0|QDRANT_SNAPSHOT_VERIFY_RATE must be bytes per second from 1MiB to 100GiB",
            "QDRANT_SNAPSHOT_S3_BUCKET|My_Bucket|QDRANT_SNAPSHOT_S3_BUCKET must be a bucket name of 3 to 63",
            "QDRANT_SNAPSHOT_S3_PREFIX|a//b|QDRANT_SNAPSHOT_S3_PREFIX must be key segments",
            "QDRANT_SNAPSHOT_S3_ENDPOINT|s3.local:9000|QDRANT_SNAPSHOT_S3_ENDPOINT must be an http:// or https:// URL",
            "QDRANT_SNAPSHOT_S3_REGION|EU West|QDRANT_SNAPSHOT_S3_REGION must be a region id",
            "QDRANT_SNAPSHOT_S3_PATH_STYLE|maybe|QDRANT_SNAPSHOT_S3_PATH_STYLE must be one of",
            "QDRANT_SNAPSHOT_S3_PART_SIZE|1MiB|QDRANT_SNAPSHOT_S3_PART_SIZE must be from 5MiB (S3's least part) to 1GiB",
            "QDRANT_SNAPSHOT_S3_PART_SIZE|big|QDRANT_SNAPSHOT_S3_PART_SIZE must be from 5MiB (S3's least part) to 1GiB",
            // a part is a byte array in memory: past 2 GiB the upload of a larger file failed on its first part
            "QDRANT_SNAPSHOT_S3_PART_SIZE|2GiB|QDRANT_SNAPSHOT_S3_PART_SIZE must be from 5MiB (S3's least part) to 1GiB",
            "QDRANT_SNAPSHOT_S3_UPLOAD_CONCURRENCY|0|QDRANT_SNAPSHOT_S3_UPLOAD_CONCURRENCY must be a whole number from 1",
            "QDRANT_SNAPSHOT_S3_UPLOAD_RATE|512KiB|QDRANT_SNAPSHOT_S3_UPLOAD_RATE must be bytes per second from 1MiB to 100GiB, written like 50MiB or 200M (unset: no limit), but it is \"512KiB\".",
            "QDRANT_SNAPSHOT_S3_UPLOAD_RATE|fast|QDRANT_SNAPSHOT_S3_UPLOAD_RATE must be bytes per second from 1MiB to 100GiB",
            "QDRANT_SNAPSHOT_S3_KEEP_LAST|0|QDRANT_SNAPSHOT_S3_KEEP_LAST must be a whole number of at least 1",
            "QDRANT_SNAPSHOT_S3_KEEP_WITHIN|soon|QDRANT_SNAPSHOT_S3_KEEP_WITHIN must be a duration from 1m",
            "QDRANT_SNAPSHOT_S3_KEEP_DAILY|seven|QDRANT_SNAPSHOT_S3_KEEP_DAILY must be a whole number of at least 1",
            "QDRANT_SNAPSHOT_S3_KEEP_MONTHLY|0|QDRANT_SNAPSHOT_S3_KEEP_MONTHLY must be a whole number of at least 1",
            "QDRANT_SNAPSHOT_S3_KEEP_LOCAL|false|QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false removes each local snapshot",
            "QDRANT_SNAPSHOT_S3_ACCESS_KEY|AKIDEXAMPLE|QDRANT_SNAPSHOT_S3_ACCESS_KEY and QDRANT_SNAPSHOT_S3_SECRET_KEY go together",
            "QDRANT_SNAPSHOT_S3_SSE|aws:kms:dsse|QDRANT_SNAPSHOT_S3_SSE must be AES256 (SSE-S3: keys S3 manages) or aws:kms (SSE-KMS: a KMS key, QDRANT_SNAPSHOT_S3_SSE_KMS_KEY_ID), but it is \"aws:kms:dsse\".",
            "QDRANT_SNAPSHOT_S3_SSE_KMS_KEY_ID|alias/backups|QDRANT_SNAPSHOT_S3_SSE_KMS_KEY_ID names the KMS key of SSE-KMS, but QDRANT_SNAPSHOT_S3_SSE is not set; set QDRANT_SNAPSHOT_S3_SSE=aws:kms, or unset the key.",
            "QDRANT_SNAPSHOT_S3_LOCK_MODE|legal-hold|QDRANT_SNAPSHOT_S3_LOCK_MODE must be GOVERNANCE (a credential with s3:BypassGovernanceRetention may still delete) or COMPLIANCE",
            "QDRANT_SNAPSHOT_S3_LOCK_FOR|forever|QDRANT_SNAPSHOT_S3_LOCK_FOR must be a duration from 1m to 36500d",
            "QDRANT_SNAPSHOT_S3_LOCK_MODE|COMPLIANCE|QDRANT_SNAPSHOT_S3_LOCK_MODE and QDRANT_SNAPSHOT_S3_LOCK_FOR go together: set both to lock each off-site object (for example COMPLIANCE and 30d), or neither.",
            "QDRANT_CLUSTER_NODES|http://qdrant-0:6333,ftp://qdrant-1|QDRANT_CLUSTER_NODES must be a comma-separated list of node URLs, each an http:// or https:// URL",
            "QDRANT_CLUSTER_NODES|http://qdrant-0:6333,http://qdrant-0:6333/|QDRANT_CLUSTER_NODES names http://qdrant-0:6333/ twice",
            "QDRANT_CLUSTER_NODES|' , '|QDRANT_CLUSTER_NODES is set but names no node",
            "QDRANT_CLUSTER_PARALLELISM|0|QDRANT_CLUSTER_PARALLELISM must be a whole number from 1 to 16",
            "QDRANT_CLUSTER_SETTLE_TIMEOUT|7h|QDRANT_CLUSTER_SETTLE_TIMEOUT must be a duration from 0s to 6h",
    })
    void refusesBadValueNamingTheVariable(String variable, String value, String sentence) throws Exception {
        Map<String, String> environment = new HashMap<>(Map.of("QDRANT_URL", qdrant.baseUrl(),
                "QDRANT_SNAPSHOT_DIR", temp.resolve("snapshots").toString()));
        environment.put(variable, value);

        PackagedApp.Exit exit = PackagedApp.runUntilExit(environment);

        assertThat(exit.code()).isNotZero();
        assertThat(exit.output()).contains("Boot failed: " + sentence);
        assertOneSentenceNoTrace(exit);
        assertThat(qdrant.getAllServeEvents()).isEmpty();
    }

    /** A malformed secret fails boot naming the variable, and its value reaches no output. */
    @Execution(ExecutionMode.CONCURRENT)
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "QDRANT_API_KEY|newline|ends with a line break",
            "QDRANT_API_KEY|control|holds a control character",
            "QDRANT_API_KEY|space|starts with a space",
            "QDRANT_SNAPSHOT_API_TOKEN|newline|ends with a line break",
            "QDRANT_SNAPSHOT_API_TOKEN|trailing-space|ends with a space",
    })
    void refusesMalformedSecretWithoutShowingIt(String variable, String flaw, String sentence) throws Exception {
        String secret = switch (flaw) {
            case "newline" -> "qk-SECRET-boot\n";
            case "control" -> "qk-SECRET-" + (char) 7 + "boot";
            case "space" -> " qk-SECRET-boot";
            default -> "qk-SECRET-boot ";
        };
        PackagedApp.Exit exit = PackagedApp.runUntilExit(Map.of("QDRANT_URL", qdrant.baseUrl(),
                "QDRANT_SNAPSHOT_DIR", temp.resolve("snapshots").toString(), "QDRANT_SNAPSHOT_ON_START", "true",
                variable, secret));

        assertThat(exit.code()).isNotZero();
        assertThat(exit.output()).contains("Boot failed: " + variable + " " + sentence)
                .contains("(the value is not shown)").doesNotContain("-SECRET-");
        assertOneSentenceNoTrace(exit);
        assertThat(qdrant.getAllServeEvents()).isEmpty();
    }

    @Execution(ExecutionMode.CONCURRENT)
    @Test
    void refusesAnApiTokenSetButEmpty() throws Exception {
        PackagedApp.Exit exit = PackagedApp.runUntilExit(Map.of("QDRANT_URL", qdrant.baseUrl(),
                "QDRANT_SNAPSHOT_DIR", temp.resolve("snapshots").toString(), "QDRANT_SNAPSHOT_API_TOKEN", ""));

        assertThat(exit.code()).isNotZero();
        assertThat(exit.output()).contains("Boot failed: QDRANT_SNAPSHOT_API_TOKEN is set but empty, which would "
                + "leave every endpoint, full-data downloads included, open");
        assertOneSentenceNoTrace(exit);
        assertThat(qdrant.getAllServeEvents()).isEmpty();
    }

    @Execution(ExecutionMode.CONCURRENT)
    @Test
    void refusesASnapshotDirAnotherInstanceHolds() throws Exception {
        Path shared = temp.resolve("shared");
        Map<String, String> environment = Map.of("QDRANT_URL", qdrant.baseUrl(), "QDRANT_SNAPSHOT_DIR",
                shared.toString(), "QDRANT_SNAPSHOT_API_TOKEN", "tk-SECRET-lock");
        try (PackagedApp.Running first = PackagedApp.start(environment)) {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> first.output().contains("Snapshots go to"));
            Path inFlight = Files.writeString(shared.resolve(".2026-11-24T00-15-00-123Z-kairos.snap.part"), "live");

            PackagedApp.Exit second = PackagedApp.runUntilExit(environment);

            assertThat(second.code()).isNotZero();
            assertThat(second.output()).contains("Boot failed: QDRANT_SNAPSHOT_DIR " + shared + " is in use by another "
                    + "qdrant-snapshotter (pid " + first.process().pid() + " on host ");
            assertOneSentenceNoTrace(second);
            assertThat(inFlight).hasContent("live"); // the first one's download in flight is untouched
            assertThat(first.process().isAlive()).isTrue();
        }
        // the first one stopped: its lock went with it, and the directory takes a new instance
        try (PackagedApp.Running next = PackagedApp.start(environment)) {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> next.output().contains("Snapshots go to"));
            assertThat(next.output()).doesNotContain("Boot failed");
        }
    }

    private static void assertOneSentenceNoTrace(PackagedApp.Exit exit) {
        assertThat(exit.output()).doesNotContain("SRCFG").doesNotContain("\tat ").doesNotContain("Exception")
                .doesNotContain("Caused by");
        assertThat(exit.output().lines().filter(line -> line.startsWith("Boot failed: "))).hasSize(1);
    }

    @Execution(ExecutionMode.CONCURRENT)
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

    @Execution(ExecutionMode.CONCURRENT)
    @Test
    void refusesUnknownSnapshotOnStartValue() throws Exception {
        PackagedApp.Exit exit = boot(temp.resolve("snapshots").toString(), "maybe");

        assertThat(exit.code()).isNotZero();
        assertThat(exit.output()).contains("QDRANT_SNAPSHOT_ON_START must be one of true/1/yes/y/on or "
                + "false/0/no/n/off (any case), but it is \"maybe\".");
        assertOneSentenceNoTrace(exit);
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
