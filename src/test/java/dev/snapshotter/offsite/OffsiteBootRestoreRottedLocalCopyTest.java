package dev.snapshotter.offsite;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Path;
import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * QDRANT_SNAPSHOT_RESTORE_IF_MISSING with the collection lost, and the local copy of its newest backup rotted on the
 * same failing disk, its off-site copy sound: the boot fetches the off-site copy in its place and restores it, startup
 * UP, its message saying so. Before, the boot's restore was refused (the file fails verification), startup stayed
 * DOWN, and the restart after it restored an older local backup, if any, though the bucket held the newest whole.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true"), missingCollectionRestoredAfterMillis = 0, plantedOffsitePrefix = OffsiteBootRestoreRottedLocalCopyTest.PREFIX, plantedLocalCopyRotted = true)
@WithS3(prefix = OffsiteBootRestoreRottedLocalCopyTest.PREFIX)
@ExtendWith(SecretsStayHidden.class)
class OffsiteBootRestoreRottedLocalCopyTest {

    static final String PREFIX = "boot-restore-rotted";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @Test
    void theBootRestoresTheOffsiteCopyOfABackupWhoseLocalCopyRotted() {
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        Path backup = dir.list().stream().filter(file -> file.toString().endsWith("-kairos.snap")).findFirst()
                .orElseThrow();
        given().get("/q/health/started").then()
                .body("checks[0].data.restore", equalTo("completed"))
                .body("checks[0].data.restoreMessage", containsString("(1234 points, aliases kairos_live); no boot "
                        + "snapshot of the restored data; the local copy of " + backup.getFileName() + " fails "
                        + "verification (it hashes to "))
                .body("checks[0].data.restoreMessage", containsString("): its off-site copy was fetched in its place, "
                        + "verified, and restored"));
        assertThat(backup.resolveSibling(backup.getFileName() + ".verify-failed")).doesNotExist();
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).hasSize(1); // the rotted copy's was cut unsent
    }
}
