package dev.snapshotter.snapshot;

import static dev.snapshotter.support.SnapshotArchiveBuilder.archive;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.nio.file.Path;
import java.time.Instant;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * The offline check of every snapshot: a file whose size and checksum agree with Qdrant's but that is no restorable
 * archive is never published, the manifest records what a sound one holds, and a re-verification runs it too.
 */
@QuarkusTest
@WithQdrantStandIn
@ExtendWith(SecretsStayHidden.class)
class ArchiveCheckTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @BeforeEach
    void resetQdrant() {
        qdrant.reset();
    }

    @Test
    void aSnapshotWithoutItsConfigFailsTheRunAndLeavesNothing() {
        SnapshotDir.Earlier earlier = dir.plantEarlierSnapshot();
        // Qdrant describes exactly these bytes (size and checksum agree): only the archive check can refuse them
        qdrant.snapshotServed("kairos", archive().without("config.json").build());

        ServiceApi.trigger().then().statusCode(502)
                .body("targets[0].status", equalTo("failed"))
                .body("targets[0].message", startsWith("The snapshot is not a sound Qdrant snapshot archive: it has no "
                        + "`config.json` (Qdrant cannot restore it)"));
        dir.assertOnly(earlier);
    }

    @Test
    void aTruncatedArchiveThatQdrantDescribedAsSuchFailsTheRun() {
        SnapshotDir.Earlier earlier = dir.plantEarlierSnapshot();
        qdrant.snapshotServed("kairos", archive().dataBytes(3 * 1024 * 1024).cut(2048).build());

        ServiceApi.trigger().then().statusCode(502)
                .body("targets[0].message", containsString("ends without the tar end-of-archive blocks"));
        dir.assertOnly(earlier);
    }

    @Test
    void theManifestRecordsWhatTheArchiveHolds() {
        qdrant.snapshotServed("kairos", archive().shards(2).version("1.19.0").build());

        String file = ServiceApi.trigger().then().statusCode(200).extract().path("targets[0].filePath");
        JsonPath manifest = JsonPath.from(Path.of(file + ".json").toFile());

        assertThat(manifest.getString("archive.qdrantVersion")).isEqualTo("1.19.0");
        assertThat(manifest.getList("archive.shards", Integer.class)).containsExactly(0, 1);
        assertThat(manifest.getList("archive.shardsWithData", Integer.class)).containsExactly(0, 1);
        assertThat(manifest.getInt("archive.vectors.size")).isEqualTo(4);
        assertThat(manifest.getString("archive.vectors.distance")).isEqualTo("Cosine");
    }

    @Test
    void reVerificationRunsTheArchiveCheckAndMarksAFileThatFailsIt() {
        // a file whose checksum file agrees with it, but which is no Qdrant snapshot (a copy of the wrong file)
        Path planted = dir.plantSnapshot(Instant.now().minusSeconds(60), "kairos", TestData.randomBytes(20_000));
        String name = planted.getFileName().toString();

        given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN).post("/api/snapshots/" + name + "/verify")
                .then().statusCode(200)
                .body("verified", equalTo(false))
                .body("sha256", equalTo(TestData.sha256(TestData.randomBytes(20_000))))
                .body("expected", equalTo(TestData.sha256(TestData.randomBytes(20_000))))
                .body("problem", startsWith("The snapshot is not a sound Qdrant snapshot archive: "));
        given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN).get("/api/snapshots").then()
                .body("find { it.file == '" + name + "' }.verified", equalTo(false));
    }
}
