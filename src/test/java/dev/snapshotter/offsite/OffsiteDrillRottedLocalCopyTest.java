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
 * A restore drill of a backup whose local copy rotted on disk, its off-site copy sound: the drill does what a restore
 * does, fetching the off-site copy in its place (verified) and drilling that, and passes, saying so. Before, it failed
 * on the rotted copy, reporting the backup unrestorable while a restore would have restored it.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn
@WithS3(prefix = OffsiteDrillRottedLocalCopyTest.PREFIX)
@ExtendWith(SecretsStayHidden.class)
class OffsiteDrillRottedLocalCopyTest {

    static final String PREFIX = "drill-rotted-local";

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void aDrillOfABackupWhoseLocalCopyRottedDrillsItsOffsiteCopy() throws Exception {
        qdrant.snapshotServed("kairos", TestData.snapshot(30_000));
        Path file = Path.of(ServiceApi.trigger().then().statusCode(200)
                .body("targets[0].offsite.status", equalTo("completed")).extract().<String> path("targets[0].filePath"));
        byte[] sound = Files.readAllBytes(file);
        SnapshotDir.rot(file);
        qdrant.restoresUploadsTo("drill-kairos-\\d{8}-\\d{6}", QdrantStandIn.POINTS, SnapshotDir.uploadName(file), 0,
                QdrantStandIn.SAMPLE_IDS);

        given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN).contentType("application/json").body("{}")
                .post("/api/drill").then().statusCode(200)
                .body("status", equalTo("completed"))
                .body("scratchDropped", equalTo(true))
                .body("message", containsString("the local copy of " + file.getFileName() + " fails verification (it "
                        + "hashes to "))
                .body("message", containsString("): its off-site copy was fetched in its place, verified, and drilled"));
        assertThat(Files.readAllBytes(file)).isEqualTo(sound);
        given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN).get("/api/snapshots").then()
                .body("find { it.file == '" + file.getFileName() + "' }.drillResult", equalTo("passed"));
    }
}
