package dev.snapshotter.offsite;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.InjectS3;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.S3Bucket;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.StandInCluster;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithS3;
import dev.snapshotter.support.WithStandInCluster;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/**
 * A cluster backup set off-site, as one backup: its members copied with the guarantees of a snapshot and its
 * {@code set.json} last, listed and verified from the bucket, pruned whole by off-site retention, and restored from the
 * bucket alone ({@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false}: no local copy).
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithStandInCluster
@WithS3(config = { @ResourceArg(name = "qdrant.snapshot.s3.keep-last", value = "1"),
        @ResourceArg(name = "qdrant.snapshot.s3.keep-local", value = "false") })
@ExtendWith(SecretsStayHidden.class)
class OffsiteSetTest {

    @InjectQdrant
    StandInCluster cluster;

    @InjectQdrant
    SnapshotDir dir;

    @InjectS3
    S3Bucket bucket;

    @BeforeEach
    void reset() {
        cluster.reset();
        bucket.empty(bucket.prefix() + "/");
    }

    private static RequestSpecification api() {
        return given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN);
    }

    @Test
    void aSetGoesOffSiteWholeAndIsPrunedWhole() {
        JsonPath first = ServiceApi.trigger().then().statusCode(200)
                .body("targets[0].offsite.status", equalTo("completed"))
                .body("targets[0].offsite.key", endsWith("-kairos.set/set.json"))
                .extract().jsonPath();
        String set = Path.of(first.getString("targets[0].filePath")).getFileName().toString();
        List<String> sha256 = first.getList("targets[0].members.sha256");
        assertThat(bucket.keys()).containsExactly("kairos/" + set + "/" + StandInCluster.PEER_A + ".snap",
                "kairos/" + set + "/" + StandInCluster.PEER_A + ".snap.sha256",
                "kairos/" + set + "/" + StandInCluster.PEER_B + ".snap",
                "kairos/" + set + "/" + StandInCluster.PEER_B + ".snap.sha256",
                "kairos/" + set + "/set.json");
        assertThat(TestData.sha256(bucket.get("kairos/" + set + "/" + StandInCluster.PEER_A + ".snap")))
                .isEqualTo(sha256.get(0));
        assertThat(bucket.unfinishedUploads()).isEmpty();
        assertThat(dir.list()).isEmpty(); // KEEP_LOCAL=false: the set went once its copy was confirmed

        api().get("/api/snapshots").then().statusCode(200)
                .body("size()", equalTo(1))
                .body("[0].file", equalTo(set))
                .body("[0].kind", equalTo("set"))
                .body("[0].location", equalTo("offsite"));
        byte[] member = api().get("/api/snapshots/" + set + "/" + StandInCluster.PEER_B + ".snap").then()
                .statusCode(200).extract().asByteArray();
        assertThat(TestData.sha256(member)).isEqualTo(sha256.get(1));
        api().post("/api/snapshots/" + set + "/verify").then().statusCode(200).body("verified", equalTo(true));

        cluster.serveSnapshots();
        String second = Path.of(ServiceApi.trigger().then().statusCode(200)
                .body("targets[0].offsite.pruned[0]", equalTo(set))
                .extract().jsonPath().getString("targets[0].filePath")).getFileName().toString();
        assertThat(bucket.keys()).allMatch(key -> key.startsWith("kairos/" + second + "/")).hasSize(5);
    }

    @Test
    void aSetOnlyOffSiteIsFetchedVerifiedAndRestored() {
        String set = Path.of(ServiceApi.trigger().then().statusCode(200).extract().jsonPath()
                .getString("targets[0].filePath")).getFileName().toString();
        assertThat(dir.list()).isEmpty();
        cluster.restoresSet("kairos-restored", set, List.of(StandInCluster.PEER_A, StandInCluster.PEER_B), "[]");

        api().contentType("application/json").body("{\"collection\":\"kairos-restored\"}")
                .post("/api/snapshots/" + set + "/restore").then().statusCode(200)
                .body("status", equalTo("completed"))
                .body("pointsFound", equalTo((int) QdrantStandIn.POINTS));
        assertThat(dir.list()).extracting(p -> p.getFileName().toString()).containsExactly(set);
    }
}
