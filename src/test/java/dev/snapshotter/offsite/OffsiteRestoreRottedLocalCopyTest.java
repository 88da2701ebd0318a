package dev.snapshotter.offsite;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.junit.QuarkusTest;

/**
 * The local copy of a backup rotted on disk (a byte changed, its size the same), its off-site copy sound: a restore of
 * it fetches the off-site copy in its place (verified against the SHA-256 recorded with it) and restores that, saying
 * so. Before, the restore was refused (422), the rotted local copy shadowing the good one in the bucket for as long as
 * it was there, and for the boot's restore too.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn
@WithS3(prefix = OffsiteRestoreRottedLocalCopyTest.PREFIX)
@ExtendWith(SecretsStayHidden.class)
class OffsiteRestoreRottedLocalCopyTest {

    static final String PREFIX = "restore-rotted-local";
    static final String TARGET = "kairos_restored";

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void aRestoreOfABackupWhoseLocalCopyRottedRestoresItsOffsiteCopy() throws Exception {
        qdrant.snapshotServed("kairos", TestData.snapshot(50_000));
        Path file = Path.of(ServiceApi.trigger().then().statusCode(200)
                .body("targets[0].offsite.status", equalTo("completed")).extract().<String> path("targets[0].filePath"));
        byte[] sound = Files.readAllBytes(file);
        SnapshotDir.rot(file);
        qdrant.restoresUploads(TARGET, QdrantStandIn.POINTS, SnapshotDir.uploadName(file));

        given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN).contentType("application/json")
                .body("{\"collection\":\"" + TARGET + "\"}").post("/api/snapshots/" + file.getFileName() + "/restore")
                .then().statusCode(200)
                .body("status", equalTo("completed"))
                .body("message", containsString("the local copy of " + file.getFileName() + " fails verification (it "
                        + "hashes to "))
                .body("message", containsString("its off-site copy was fetched in its place, verified, and restored"));
        assertThat(Files.readAllBytes(file)).isEqualTo(sound); // the rotted copy replaced by the sound one
        assertThat(file.resolveSibling(file.getFileName() + ".verify-failed")).doesNotExist();
        given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN).get("/api/snapshots").then()
                .body("find { it.file == '" + file.getFileName() + "' }.verified", equalTo(true));
    }
}
