package dev.snapshotter.offsite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

import org.awaitility.Awaitility;
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
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Local retention never deletes a snapshot that is not off-site yet: with {@code QDRANT_SNAPSHOT_KEEP_LAST=1} and the
 * object store down, the older snapshot stays until its copy is confirmed, then goes.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.keep-last", value = "1"))
@WithS3(proxy = WithS3.Proxy.PLAIN)
@ExtendWith(SecretsStayHidden.class)
class OffsitePendingRetentionTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @InjectS3
    S3Bucket bucket;

    @InjectS3
    Relay proxy;

    @BeforeEach
    void reset() {
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> !proxy.down());
        qdrant.reset();
        bucket.empty(bucket.prefix() + "/");
    }

    @Test
    void aSnapshotNotYetOffSiteOutlivesLocalRetentionUntilItsCopyIsConfirmed() {
        proxy.goDownAfter(0, 8_000);
        qdrant.snapshotServed("kairos", TestData.snapshot(4096));
        Path first = Path.of(ServiceApi.trigger().then().statusCode(502).extract().jsonPath()
                .getString("targets[0].filePath"));
        qdrant.snapshotServed("kairos", TestData.snapshot(5000));

        JsonPath second = ServiceApi.trigger().then().statusCode(502).extract().jsonPath();

        assertThat(first).exists(); // KEEP_LAST=1 would have deleted it: it is not off-site
        assertThat(second.getString("targets[0].message")).contains("Kept " + first.getFileName()
                + " although keep-last", "it is not off-site yet");
        assertThat(dir.list()).filteredOn(p -> p.toString().endsWith(".snap")).hasSize(2);

        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> !proxy.down());
        qdrant.snapshotServed("kairos", TestData.snapshot(6000));
        JsonPath third = ServiceApi.trigger().then().statusCode(200).extract().jsonPath();
        assertThat(third.getList("targets[0].offsite.caughtUp", String.class)).contains(first.getFileName()
                .toString());
        // copied now: the next run's retention takes it
        qdrant.snapshotServed("kairos", TestData.snapshot(7000));
        ServiceApi.trigger().then().statusCode(200);
        assertThat(first).doesNotExist();
        assertThat(bucket.head("kairos/" + first.getFileName())).isPresent();
    }
}
