package dev.snapshotter.offsite;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.StandInCluster;
import dev.snapshotter.support.WithS3;
import dev.snapshotter.support.WithStandInCluster;

import io.quarkus.test.junit.QuarkusTest;

/**
 * A cluster backup set that lost its {@code set.json}, a member and another member's checksum file (deleted by hand, a
 * failing disk) is not listed: nothing vouches for it. A restore of it makes it whole from its off-site copy: the member
 * that is gone is fetched and verified, the member whose bytes still hash to what the bucket's set records is kept and
 * vouched for again, the {@code set.json} written last, and the set restored. Before, the restore failed (500): the
 * fetch found a directory of that name.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithStandInCluster
@WithS3(prefix = OffsiteSetUnlistedTest.PREFIX)
@ExtendWith(SecretsStayHidden.class)
class OffsiteSetUnlistedTest {

    static final String PREFIX = "set-unlisted";
    static final String TARGET = "kairos-restored";

    @InjectQdrant
    StandInCluster cluster;

    @Test
    void aRestoreOfASetThatLostWhatVouchesForItMakesItWholeFromItsOffsiteCopy() throws Exception {
        Path set = Path.of(ServiceApi.trigger().then().statusCode(200)
                .body("targets[0].offsite.status", equalTo("completed")).extract().<String> path("targets[0].filePath"));
        Damage damage = Damage.to(set);
        ServiceApi.api().get("/api/snapshots").then()
                .body("find { it.file == '" + set.getFileName() + "' }.location", equalTo("offsite"));
        assertThat(Scrape.value("snapshotter_snapshots_unlisted")).isEqualTo(1);
        cluster.restoresSet(TARGET, set.getFileName().toString(), List.of(StandInCluster.PEER_A, StandInCluster.PEER_B),
                "[]");

        given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN).contentType("application/json")
                .body("{\"collection\":\"" + TARGET + "\"}").post("/api/snapshots/" + set.getFileName() + "/restore")
                .then().statusCode(200)
                .body("status", equalTo("completed"))
                .body("pointsFound", equalTo((int) QdrantStandIn.POINTS));
        damage.assertHealed();
        assertThat(Scrape.value("snapshotter_offsite_healed_total")).isEqualTo(1);
    }

    /** What the tests take from a set, and how they check that it came back. */
    record Damage(Path set, byte[] manifest, Path lost, byte[] lostBytes, Path kept, long keptModified,
            Path keptChecksum, String keptChecksumText) {

        /** Deletes the set's {@code set.json}, its member of PEER_B, and the checksum file of its member of PEER_A. */
        static Damage to(Path set) throws Exception {
            Path lost = set.resolve(StandInCluster.PEER_B + ".snap");
            Path kept = set.resolve(StandInCluster.PEER_A + ".snap");
            Path keptChecksum = set.resolve(StandInCluster.PEER_A + ".snap.sha256");
            Damage damage = new Damage(set, Files.readAllBytes(set.resolve("set.json")), lost, Files.readAllBytes(lost),
                    kept, Files.getLastModifiedTime(kept).toMillis(), keptChecksum, Files.readString(keptChecksum));
            Files.delete(set.resolve("set.json"));
            Files.delete(lost);
            Files.delete(keptChecksum);
            return damage;
        }

        void assertHealed() throws Exception {
            assertThat(set.resolve("set.json")).hasBinaryContent(manifest);
            assertThat(lost).hasBinaryContent(lostBytes);
            assertThat(Files.getLastModifiedTime(kept).toMillis()).isEqualTo(keptModified); // kept, not fetched
            assertThat(keptChecksum).hasContent(keptChecksumText.strip());
            try (var left = Files.list(set)) {
                assertThat(left.map(p -> p.getFileName().toString())).noneMatch(name -> name.endsWith(".part"));
            }
            ServiceApi.api().get("/api/snapshots").then()
                    .body("find { it.file == '" + set.getFileName() + "' }.verified", equalTo(true))
                    .body("find { it.file == '" + set.getFileName() + "' }.location", equalTo("both"));
            assertThat(Scrape.value("snapshotter_snapshots_unlisted")).isZero();
        }
    }
}
