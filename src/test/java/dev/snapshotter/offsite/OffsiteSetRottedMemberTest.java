package dev.snapshotter.offsite;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.StandInCluster;
import dev.snapshotter.support.WithS3;
import dev.snapshotter.support.WithStandInCluster;

import io.quarkus.test.junit.QuarkusTest;

/**
 * A member of a cluster backup set rotted on disk (a byte changed, its size the same), the set's off-site copy sound: a
 * restore of the set fetches that member's off-site copy in its place (verified against the SHA-256 the set recorded),
 * leaves the sound members as they are, and restores the set, saying so. Before, the restore was refused (422), the
 * rotted member shadowing the good set in the bucket, as a single snapshot's rotted copy did until it was healed.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithStandInCluster
@WithS3(prefix = OffsiteSetRottedMemberTest.PREFIX)
@ExtendWith(SecretsStayHidden.class)
class OffsiteSetRottedMemberTest {

    static final String PREFIX = "set-rotted-member";
    static final String TARGET = "kairos-restored";

    @InjectQdrant
    StandInCluster cluster;

    @Test
    void aRestoreOfASetWithARottedMemberRestoresItsOffsiteCopy() throws Exception {
        Path set = Path.of(ServiceApi.trigger().then().statusCode(200)
                .body("targets[0].offsite.status", equalTo("completed")).extract().<String> path("targets[0].filePath"));
        Path rotted = set.resolve(StandInCluster.PEER_B + ".snap");
        Path kept = set.resolve(StandInCluster.PEER_A + ".snap");
        byte[] sound = Files.readAllBytes(rotted);
        long keptModified = Files.getLastModifiedTime(kept).toMillis();
        SnapshotDir.rot(rotted);
        cluster.restoresSet(TARGET, set.getFileName().toString(), List.of(StandInCluster.PEER_A, StandInCluster.PEER_B),
                "[]");

        given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN).contentType("application/json")
                .body("{\"collection\":\"" + TARGET + "\"}").post("/api/snapshots/" + set.getFileName() + "/restore")
                .then().statusCode(200)
                .body("status", equalTo("completed"))
                .body("pointsFound", equalTo((int) QdrantStandIn.POINTS))
                .body("message", containsString("the local copy of " + set.getFileName() + " fails verification ("
                        + StandInCluster.PEER_B + ".snap: hashes to "))
                .body("message", containsString("the off-site copy of each member that failed was fetched in its "
                        + "place, verified, and the set restored"));
        assertThat(Files.readAllBytes(rotted)).isEqualTo(sound); // the rotted member replaced by the sound one
        assertThat(Files.getLastModifiedTime(kept).toMillis()).isEqualTo(keptModified); // the sound one left alone
        assertThat(set.resolveSibling(set.getFileName() + ".verify-failed")).doesNotExist();
        try (var left = Files.list(set)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(name -> name.endsWith(".part"));
        }
        given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN).get("/api/snapshots").then()
                .body("find { it.file == '" + set.getFileName() + "' }.verified", equalTo(true));
    }
}
