package dev.snapshotter.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * What the boot says of variables set in vain: a misspelled name with the one meant, an unknown
 * {@code QDRANT_SNAPSHOT_...} name, off-site settings without the bucket; and silence on the Kairos memory server's
 * own {@code QDRANT_...} variables and on values.
 */
class VariableCheckTest {

    static final Set<String> KNOWN = VariableCheck.known();

    @Test
    void theKnownVariablesAreThoseTheReadmeTabulates() {
        assertThat(KNOWN).contains("QDRANT_URL", "QDRANT_API_KEY", "QDRANT_COLLECTION", "QDRANT_CA_CERT_PATH",
                "QDRANT_SNAPSHOT_ON_START", "QDRANT_SNAPSHOT_DIR", "QDRANT_SNAPSHOT_KEEP_DAILY",
                "QDRANT_SNAPSHOT_S3_BUCKET", "QDRANT_SNAPSHOT_S3_KEEP_YEARLY", "QDRANT_SNAPSHOT_S3_SSE_KMS_KEY_ID",
                "QDRANT_DRILL_URL", "QDRANT_SNAPSHOT_DRILL_SCHEDULE");
        assertThat(KNOWN).allMatch(name -> name.matches("QDRANT_[A-Z0-9_]+"));
    }

    /**
     * The configuration table of README.md names exactly the variables the service reads (so a variable is never
     * undocumented, and no documented one is named in vain); a row may shorten a name to its changed ending
     * ({@code `QDRANT_SNAPSHOT_KEEP_DAILY`, `_KEEP_WEEKLY`}).
     */
    @Test
    void theReadmeDocumentsEveryVariableTheServiceReadsAndNoOther() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int table = readme.indexOf("## Configuration");
        String section = readme.substring(table, readme.indexOf("\n## ", table + 1));
        Set<String> documented = new TreeSet<>();
        for (String line : section.split("\n")) {
            if (!line.startsWith("| `")) {
                continue;
            }
            String base = null;
            Matcher name = Pattern.compile("`(_?[A-Z0-9_]+)`").matcher(line.split("\\|")[1]);
            while (name.find()) {
                String written = name.group(1);
                if (written.startsWith("_")) {
                    int tokens = written.substring(1).split("_").length;
                    String stem = base;
                    for (int i = 0; i < tokens; i++) {
                        stem = stem.substring(0, stem.lastIndexOf('_'));
                    }
                    documented.add(stem + written);
                } else {
                    documented.add(written);
                    base = written;
                }
            }
        }
        documented.remove("QUARKUS_HTTP_PORT");

        assertThat(documented).isEqualTo(new TreeSet<>(KNOWN));
    }

    /** What operators copy from {@code deploy/} and {@code src/main/docker/} sets no variable in vain. */
    @Test
    void theDeploymentExamplesSetOnlyVariablesTheServiceReads() throws Exception {
        for (Path root : new Path[] { Path.of("deploy"), Path.of("src", "main", "docker") }) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    Matcher name = Pattern.compile("\\bQDRANT_[A-Z0-9_]+").matcher(Files.readString(file));
                    while (name.find()) {
                        if (!name.group().contains("__")) { // Qdrant's own (QDRANT__SERVICE__API_KEY)
                            assertThat(KNOWN).as(file + " sets " + name.group()).contains(name.group());
                        }
                    }
                }
            }
        }
    }

    @Test
    void aMisspelledBucketIsNamedWithTheOneMeantAndTheOffsiteSettingsItLeavesIdle() {
        assertThat(VariableCheck.warnings(Map.of("QDRANT_SNAPSHOT_S3_BUCKT", "backups",
                "QDRANT_SNAPSHOT_S3_KEEP_DAILY", "7", "QDRANT_SNAPSHOT_S3_PREFIX", "prod"), KNOWN, false))
                .containsExactly("QDRANT_SNAPSHOT_S3_BUCKT is set, but this service reads no variable of that "
                        + "name: did you mean QDRANT_SNAPSHOT_S3_BUCKET? It is ignored.",
                        "QDRANT_SNAPSHOT_S3_KEEP_DAILY, QDRANT_SNAPSHOT_S3_PREFIX are set, but "
                                + "QDRANT_SNAPSHOT_S3_BUCKET is not: off-site copies are off, so they do nothing; set "
                                + "the bucket to copy snapshots off-site.");
    }

    @Test
    void offsiteSettingsWithTheBucketSetSayNothing() {
        assertThat(VariableCheck.warnings(Map.of("QDRANT_SNAPSHOT_S3_BUCKET", "backups",
                "QDRANT_SNAPSHOT_S3_KEEP_DAILY", "7"), KNOWN, true)).isEmpty();
        assertThat(VariableCheck.warnings(Map.of("QDRANT_SNAPSHOT_S3_KEEP_LAST", "3"), KNOWN, false))
                .containsExactly("QDRANT_SNAPSHOT_S3_KEEP_LAST is set, but QDRANT_SNAPSHOT_S3_BUCKET is not: "
                        + "off-site copies are off, so it does nothing; set the bucket to copy snapshots off-site.");
        assertThat(VariableCheck.warnings(Map.of("QDRANT_SNAPSHOT_VERIFY_OFFSITE", "true",
                "QDRANT_SNAPSHOT_VERIFY_SCHEDULE", "every 7d"), KNOWN, false))
                .containsExactly("QDRANT_SNAPSHOT_VERIFY_OFFSITE is set, but QDRANT_SNAPSHOT_S3_BUCKET is not: "
                        + "off-site copies are off, so it does nothing; set the bucket to copy snapshots off-site.");
    }

    @Test
    void typosOfOurNamesAreCaughtWhereverTheyAre() {
        assertThat(VariableCheck.warnings(Map.of("QDRANT_COLECTION", "kairos", "QDRANT_SNAPSHOT_KEEP_DAYLY", "7",
                "QDRANT_SNAPSHOT_ONSTART", "true", "QDRANT_SNAPSHOT_SCHEDUEL", "every 6h"), KNOWN, false))
                .containsExactly(
                        "QDRANT_COLECTION is set, but this service reads no variable of that name: did you mean "
                                + "QDRANT_COLLECTION? It is ignored.",
                        "QDRANT_SNAPSHOT_KEEP_DAYLY is set, but this service reads no variable of that name: did you "
                                + "mean QDRANT_SNAPSHOT_KEEP_DAILY? It is ignored.",
                        "QDRANT_SNAPSHOT_ONSTART is set, but this service reads no variable of that name: did you "
                                + "mean QDRANT_SNAPSHOT_ON_START? It is ignored.",
                        "QDRANT_SNAPSHOT_SCHEDUEL is set, but this service reads no variable of that name: did you "
                                + "mean QDRANT_SNAPSHOT_SCHEDULE? It is ignored.");
    }

    @Test
    void anUnknownSnapshotVariableIsNamedAndTheAppsOwnAreLeftAlone() {
        assertThat(VariableCheck.warnings(Map.of("QDRANT_SNAPSHOT_COMPRESSION", "zstd", "QDRANT_VECTOR_SIZE", "384",
                "QDRANT_TIMEOUT_MS", "5000", "QDRANT_URL", "http://qdrant:6333", "PATH", "/bin"), KNOWN, false))
                .containsExactly("QDRANT_SNAPSHOT_COMPRESSION is set, but this service reads no variable of that "
                        + "name; it is ignored (README \"Configuration\" lists the variables).");
    }

    @Test
    void valuesAreNeverShown() {
        assertThat(VariableCheck.warnings(Map.of("QDRANT_API_KY", "s3cr3t-key", "QDRANT_SNAPSHOT_S3_SECRET_KEY",
                "s3cr3t-s3"), KNOWN, false)).hasSize(2).noneMatch(line -> line.contains("s3cr3t"));
    }
}
