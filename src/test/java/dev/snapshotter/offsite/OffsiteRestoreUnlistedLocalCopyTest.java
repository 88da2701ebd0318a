package dev.snapshotter.offsite;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
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
 * A backup whose checksum file rotted into something that is no checksum (the local copy is then not listed: nothing
 * vouches for it), its off-site copy sound: a restore of it fetches the off-site copy in the local copy's place
 * (verified against the SHA-256 recorded with it) and restores it. Before, the fetch failed on the file already there
 * under that name, and the backup could not be restored while the bucket held it whole.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn
@WithS3(prefix = OffsiteRestoreUnlistedLocalCopyTest.PREFIX)
@ExtendWith(SecretsStayHidden.class)
class OffsiteRestoreUnlistedLocalCopyTest {

    static final String PREFIX = "restore-unlisted-local";
    static final String TARGET = "kairos_restored";

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void aRestoreOfABackupWhoseChecksumFileRottedRestoresItsOffsiteCopy() throws Exception {
        qdrant.snapshotServed("kairos", TestData.snapshot(50_000));
        Path file = Path.of(ServiceApi.trigger().then().statusCode(200)
                .body("targets[0].offsite.status", equalTo("completed")).extract().<String> path("targets[0].filePath"));
        byte[] sound = Files.readAllBytes(file);
        Path checksum = file.resolveSibling(file.getFileName() + ".sha256");
        Files.writeString(checksum, "\u0000\u0000 not a checksum any more\n");
        SnapshotDir.rot(file);
        qdrant.restoresUploads(TARGET, QdrantStandIn.POINTS, SnapshotDir.uploadName(file));
        ServiceApi.api().get("/api/snapshots").then()
                .body("find { it.file == '" + file.getFileName() + "' }.location", equalTo("offsite"));

        given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN).contentType("application/json")
                .body("{\"collection\":\"" + TARGET + "\"}").post("/api/snapshots/" + file.getFileName() + "/restore")
                .then().statusCode(200)
                .body("status", equalTo("completed"));
        assertThat(Files.readAllBytes(file)).isEqualTo(sound); // the unvouched copy replaced by the sound one
        assertThat(Files.readString(checksum)).isEqualTo(TestData.sha256(sound) + "  " + file.getFileName() + "\n");
        ServiceApi.api().get("/api/snapshots").then()
                .body("find { it.file == '" + file.getFileName() + "' }.verified", equalTo(true));
    }
}
