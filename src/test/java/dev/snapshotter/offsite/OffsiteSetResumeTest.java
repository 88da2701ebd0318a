package dev.snapshotter.offsite;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.InjectS3;
import dev.snapshotter.support.S3Bucket;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.StandInCluster;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithS3;
import dev.snapshotter.support.WithStandInCluster;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * A backup set whose off-site copy stopped half-way (one member up, the other and {@code set.json} not): it is not
 * listed off-site, and the next run's catch-up completes it, keeping the member already there (same name, same
 * SHA-256: not uploaded again) and putting {@code set.json} last.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithStandInCluster
@WithS3
@ExtendWith(SecretsStayHidden.class)
class OffsiteSetResumeTest {

    @InjectQdrant
    StandInCluster cluster;

    @InjectS3
    S3Bucket bucket;

    @Test
    void aSetCopiedHalfWayIsNotOffSiteAndTheNextRunCompletesIt() {
        JsonPath first = ServiceApi.trigger().then().statusCode(200).extract().jsonPath();
        String set = Path.of(first.getString("targets[0].filePath")).getFileName().toString();
        String folder = "kairos/" + set + "/";
        List<String> sha256 = first.getList("targets[0].members.sha256");
        // as a copy cut after its first member leaves it
        bucket.empty(bucket.prefix() + "/" + folder + StandInCluster.PEER_B + ".snap");
        bucket.empty(bucket.prefix() + "/" + folder + "set.json");
        var memberA = bucket.head(folder + StandInCluster.PEER_A + ".snap").orElseThrow();

        api().get("/api/snapshots").then().statusCode(200)
                .body("find { it.file == '" + set + "' }.location", equalTo("local"));

        cluster.serveSnapshots();
        JsonPath next = ServiceApi.trigger().then().statusCode(200).extract().jsonPath();

        assertThat(next.getList("targets[0].offsite.caughtUp", String.class)).containsExactly(set);
        assertThat(bucket.keys(bucket.prefix() + "/" + folder)).extracting(key -> key.substring(key.lastIndexOf('/') + 1))
                .containsExactlyInAnyOrder(StandInCluster.PEER_A + ".snap", StandInCluster.PEER_A + ".snap.sha256",
                        StandInCluster.PEER_B + ".snap", StandInCluster.PEER_B + ".snap.sha256", "set.json");
        // the member already there was kept as it was, not uploaded again
        assertThat(bucket.head(folder + StandInCluster.PEER_A + ".snap").orElseThrow().eTag()).isEqualTo(memberA.eTag());
        assertThat(bucket.head(folder + StandInCluster.PEER_A + ".snap").orElseThrow().lastModified())
                .isEqualTo(memberA.lastModified());
        assertThat(TestData.sha256(bucket.get(folder + StandInCluster.PEER_B + ".snap"))).isEqualTo(sha256.get(1));
        assertThat(bucket.unfinishedUploads()).isEmpty();
        api().get("/api/snapshots").then().statusCode(200)
                .body("find { it.file == '" + set + "' }.location", equalTo("both"));
        assertThat(Scrape.value("snapshotter_offsite_pending")).isZero();
    }

    private static io.restassured.specification.RequestSpecification api() {
        return given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN);
    }
}
