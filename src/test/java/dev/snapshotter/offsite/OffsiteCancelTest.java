package dev.snapshotter.offsite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.InjectS3;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Relay;
import dev.snapshotter.support.S3Bucket;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * {@code DELETE /api/runs/{id}} while the off-site copy goes: the copy stops at once (not when S3's silence reaches the
 * stall timeout), its multipart upload is aborted, nothing is visible in the bucket, and the verified local snapshot
 * is kept for the next run to copy.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.stall-timeout", value = "60s"))
@WithS3(proxy = WithS3.Proxy.PLAIN, config = @ResourceArg(name = "qdrant.snapshot.s3.part-size", value = "8MiB"))
@ExtendWith(SecretsStayHidden.class)
class OffsiteCancelTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectS3
    S3Bucket bucket;

    @InjectS3
    Relay proxy;

    @BeforeEach
    void reset() {
        qdrant.reset();
        bucket.empty(bucket.prefix() + "/");
    }

    @AfterEach
    void flow() {
        proxy.flowAgain();
    }

    @Test
    void aCancelDuringTheOffsiteCopyStopsItAndKeepsTheLocalSnapshot() throws Exception {
        qdrant.snapshotServed("kairos", TestData.snapshot(8 << 20));
        proxy.stallAfter(1 << 20); // S3 takes 1 MiB of the part, then reads no more: the copy hangs

        String id = ServiceApi.triggerAsync().then().statusCode(202)
                .extract().path("id");
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> "offsite".equals(
                ServiceApi.api().get("/api/runs/" + id).then().extract().path("phase")));
        Instant asked = Instant.now();

        ServiceApi.api().delete("/api/runs/" + id).then().statusCode(202).body("id", equalTo(id));

        JsonPath run = ServiceApi.finishedRun(id);
        assertThat(Duration.between(asked, Instant.now())).as("stopped by the cancel, not by the 60 s stall timeout")
                .isLessThan(Duration.ofSeconds(20));
        assertThat(run.getString("status")).isEqualTo("cancelled");
        assertThat(run.getString("cancelledBy")).isEqualTo("api");
        Path kept = Path.of(run.getString("report.targets[0].filePath"));
        String file = kept.getFileName().toString();
        assertThat(run.getString("report.targets[0].stage")).isEqualTo("offsite");
        assertThat(run.getString("report.targets[0].message")).startsWith("Off-site copy failed: ")
                .contains("The verified local snapshot " + file + " is kept");
        assertThat(Files.exists(kept)).isTrue();
        assertThat(bucket.head("kairos/" + file)).isEmpty();
        proxy.flowAgain();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> bucket.unfinishedUploads().isEmpty());
    }
}
