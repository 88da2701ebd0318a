package dev.snapshotter.cluster;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.StandInCluster;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithStandInCluster;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;

/**
 * A backup set is one backup to the catalog and to retention: listed once with its members, each member downloaded
 * and verified, a damaged member fails the set's verification, retention and deletion take the set whole.
 */
@QuarkusTest
@WithStandInCluster(config = @ResourceArg(name = "qdrant.snapshot.keep-last", value = "1"))
class ClusterSetCatalogTest {

    @InjectQdrant
    StandInCluster cluster;

    @InjectQdrant
    SnapshotDir dir;

    @BeforeEach
    void resetCluster() {
        cluster.reset();
    }

    private static RequestSpecification api() {
        return given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN);
    }

    private Path takeSet() {
        return Path.of(ServiceApi.trigger().then().statusCode(200).extract().jsonPath().getString("targets[0].filePath"));
    }

    @Test
    void retentionKeepsTheNewestSetWhole() {
        Path first = takeSet();
        cluster.serveSnapshots(); // a later second: a new name for each node's copy
        List<String> pruned = ServiceApi.trigger().then().statusCode(200).extract().jsonPath()
                .getList("targets[0].pruned");
        assertThat(pruned).containsExactly(first.getFileName().toString());
        assertThat(first).doesNotExist();
        assertThat(dir.list()).hasSize(1);
        assertThat(dir.list().get(0).getFileName().toString()).endsWith("-kairos.set");
    }

    @Test
    void theCatalogListsDownloadsVerifiesAndDeletesASetAsOneBackup() throws IOException {
        Path set = takeSet();
        String name = set.getFileName().toString();
        String member = StandInCluster.PEER_A + ".snap";
        byte[] bytes = Files.readAllBytes(set.resolve(member));

        api().get("/api/snapshots").then().statusCode(200)
                .body("size()", equalTo(1))
                .body("[0].file", equalTo(name))
                .body("[0].kind", equalTo("set"))
                .body("[0].size", equalTo((int) (bytes.length + Files.size(set.resolve(StandInCluster.PEER_B + ".snap")))))
                .body("[0].members.peerId", equalTo(List.of(StandInCluster.PEER_A, StandInCluster.PEER_B)))
                .body("[0].members[0].sha256", equalTo(TestData.sha256(bytes)));
        api().get("/api/snapshots/" + name).then().statusCode(200).body("kind", equalTo("set"));
        byte[] downloaded = api().get("/api/snapshots/" + name + "/" + member).then().statusCode(200)
                .header("ETag", "\"" + TestData.sha256(bytes) + "\"").extract().asByteArray();
        assertThat(downloaded).isEqualTo(bytes);
        api().header("Range", "bytes=0-99").get("/api/snapshots/" + name + "/" + member).then().statusCode(206)
                .header("Content-Length", "100");
        api().get("/api/snapshots/" + name + "/" + member + ".sha256").then().statusCode(200)
                .body(containsString(TestData.sha256(bytes)));
        api().get("/api/snapshots/" + name + "/..%2Fother.snap").then().statusCode(404);
        api().post("/api/snapshots/" + name + "/verify").then().statusCode(200).body("verified", equalTo(true));

        // bit rot in one member: the set fails verification and is no longer served by default
        bytes[bytes.length / 2] ^= 1;
        Files.write(set.resolve(member), bytes);
        api().post("/api/snapshots/" + name + "/verify").then().statusCode(200)
                .body("verified", equalTo(false))
                .body("problem", containsString(member + ": hashes to "));
        api().get("/api/snapshots").then().body("[0].verified", equalTo(false));
        api().get("/api/snapshots/" + name + "/" + member).then().statusCode(409);

        api().delete("/api/snapshots/" + name + "?force=true").then().statusCode(200)
                .body("deleted[0]", equalTo(name));
        assertThat(set).doesNotExist();
        assertThat(dir.list()).isEmpty();
    }
}
