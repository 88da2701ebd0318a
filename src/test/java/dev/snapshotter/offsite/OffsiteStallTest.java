package dev.snapshotter.offsite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

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
 * S3 going silent in the middle of a copy, through a relay that stops reading and never answers while it holds the
 * connection open: the run fails within {@code QDRANT_SNAPSHOT_STALL_TIMEOUT} (and the SDK's few retries) as a
 * timeout ({@code 504}), with the verified local file kept and nothing visible in the bucket, and a later run copies
 * the file. The snapshot is one 8 MiB part: far more than the socket buffers, so a relay that stops reading blocks the
 * upload's writes, where no read timeout applies.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.stall-timeout", value = "2s"))
@WithS3(proxy = WithS3.Proxy.PLAIN, config = @ResourceArg(name = "qdrant.snapshot.s3.part-size", value = "8MiB"))
@ExtendWith(SecretsStayHidden.class)
class OffsiteStallTest {

    /**
     * Far above what 2 s of silence and the SDK's retries take (about 10 s), and under the test client's own 30 s: a
     * run held until TCP gives up, as before the fix, fails here.
     */
    static final Duration BOUND = Duration.ofSeconds(25);
    /** The part size of these classes, and the snapshot's: one part. */
    static final int PART_BYTES = 8 << 20;

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
    void s3StoppingToReadAPartFailsTheRunAsATimeoutAndTheNextRunCatchesUp() {
        partStallFailsTheRunAndTheNextRunCatchesUp(qdrant, bucket, proxy);
    }

    /**
     * An 8 MiB part S3 stops reading after 1 MiB: a timeout within {@link #BOUND}, nothing left; a later copy (the next
     * run's catch-up, or the boot's when it ran late) puts it there.
     */
    static void partStallFailsTheRunAndTheNextRunCatchesUp(QdrantStandIn qdrant, S3Bucket bucket, Relay proxy) {
        qdrant.snapshotServed("kairos", TestData.snapshot(PART_BYTES));
        proxy.stallAfter(1 << 20);

        JsonPath failed = assertTimeoutPreemptively(BOUND,
                () -> ServiceApi.trigger().then().statusCode(504).extract().jsonPath());

        Path kept = Path.of(failed.getString("targets[0].filePath"));
        String file = kept.getFileName().toString();
        assertThat(failed.getString("targets[0].stage")).isEqualTo("offsite");
        assertThat(failed.getString("targets[0].offsite.status")).isEqualTo("failed");
        assertThat(failed.getString("targets[0].message")).startsWith("Off-site copy failed: ")
                .contains("Could not upload part 1 of", "S3 took no byte for 2s",
                        "QDRANT_SNAPSHOT_STALL_TIMEOUT", "The verified local snapshot " + file + " is kept");
        assertThat(Files.exists(kept)).isTrue();
        assertThat(bucket.head("kairos/" + file)).isEmpty();

        proxy.flowAgain();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> bucket.unfinishedUploads().isEmpty());
        qdrant.snapshotServed("kairos", TestData.snapshot(5000));
        ServiceApi.trigger().then().statusCode(200);
        assertThat(TestData.sha256(bucket.get("kairos/" + file))).isEqualTo(failed.getString("targets[0].sha256"));
    }

    @Test
    void s3NotAnsweringARequestFailsTheRunAsATimeout() {
        qdrant.snapshotServed("kairos", TestData.snapshot(5000));
        proxy.stallAfter(0);

        JsonPath failed = assertTimeoutPreemptively(BOUND,
                () -> ServiceApi.trigger().then().statusCode(504).extract().jsonPath());

        String file = Path.of(failed.getString("targets[0].filePath")).getFileName().toString();
        assertThat(failed.getString("targets[0].stage")).isEqualTo("offsite");
        assertThat(failed.getString("targets[0].message")).contains("S3 did not answer in time",
                "no byte for 2s", "QDRANT_SNAPSHOT_STALL_TIMEOUT", "The verified local snapshot " + file + " is kept");
        assertThat(Files.exists(Path.of(failed.getString("targets[0].filePath")))).isTrue();
    }
}
