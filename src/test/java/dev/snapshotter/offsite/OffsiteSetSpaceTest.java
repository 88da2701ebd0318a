package dev.snapshotter.offsite;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.InjectS3;
import dev.snapshotter.support.S3Bucket;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.StandInCluster;
import dev.snapshotter.support.Tmpfs;
import dev.snapshotter.support.WithS3;
import dev.snapshotter.support.WithStandInCluster;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * A backup set kept only in the bucket, restored into a directory that can hold each member but not the whole set: the
 * restore is refused before any member is fetched (507, as a snapshot run's full disk), naming the set and the space it
 * needs. Before, the first member was fetched in full and the second failed, with a message that said nothing was
 * downloaded, and the refusal was a 409 (a conflict with Qdrant's state, which it was not).
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithStandInCluster
@WithS3(config = @ResourceArg(name = "qdrant.snapshot.s3.keep-local", value = "false"))
@ExtendWith(SecretsStayHidden.class)
class OffsiteSetSpaceTest {

    @InjectQdrant
    StandInCluster cluster;

    @InjectQdrant
    SnapshotDir dir;

    @InjectS3
    S3Bucket bucket;

    private Tmpfs tmpfs;

    @AfterEach
    void unmount() {
        if (tmpfs != null) {
            tmpfs.close();
            tmpfs = null;
        }
    }

    @Test
    void aSetThatCannotFitWholeIsRefusedBeforeAnyMemberIsFetched() {
        Assumptions.assumeTrue(Tmpfs.permitted(), "this machine does not let the tests mount a small tmpfs");
        cluster.reset();
        bucket.empty(bucket.prefix() + "/");
        cluster.serveSnapshots(1 << 20);
        JsonPath taken = ServiceApi.trigger().then().statusCode(200)
                .body("targets[0].offsite.status", equalTo("completed")).extract().jsonPath();
        String set = Path.of(taken.getString("targets[0].filePath")).getFileName().toString();
        List<Long> sizes = taken.getList("targets[0].members.bytes", Long.class);
        assertThat(sizes).hasSize(2);
        long total = sizes.stream().mapToLong(Long::longValue).sum();
        long largest = sizes.stream().mapToLong(Long::longValue).max().orElseThrow();
        assertThat(dir.list()).isEmpty();

        // room for either member, not for both
        tmpfs = Tmpfs.mount(dir.directory(), (largest + (total - largest) / 2) / 1024 + "k");
        given().header("Authorization", "Bearer " + ServiceApi.API_TOKEN).contentType("application/json")
                .body("{\"collection\":\"kairos-restored\"}").post("/api/snapshots/" + set + "/restore").then()
                .statusCode(507)
                .body("detail", containsString("is only off-site and could not be fetched: The backup set " + set
                        + " (2 members) needs " + total + " bytes"))
                .body("detail", containsString("nothing was downloaded"));
        assertThat(dir.list()).isEmpty();
        assertThat(cluster.nodes()).allSatisfy(node -> assertThat(node.requests("POST", "/collections/kairos-restored"))
                .isEmpty());
    }
}
