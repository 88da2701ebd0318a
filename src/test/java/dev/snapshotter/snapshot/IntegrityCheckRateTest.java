package dev.snapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * {@code QDRANT_SNAPSHOT_VERIFY_RATE=4MiB}: an integrity check of a 12 MiB snapshot takes at least 3 s (2.9 asserted),
 * whatever the disk could do, and still finds it sound. Only the lower bound is asserted: a slow machine makes the
 * check slower, never faster, so this holds on any CI machine and fails only if the pacing is lost (the page cache
 * gives 12 MiB in milliseconds).
 */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.verify-schedule", value = "*/2 * * * * ?"),
        @ResourceArg(name = "qdrant.snapshot.verify-rate", value = "4MiB") })
@ExtendWith(SecretsStayHidden.class)
class IntegrityCheckRateTest {

    @InjectQdrant
    SnapshotDir dir;

    @Test
    void aCheckReadsNoFasterThanTheRate() throws Exception {
        Path planted = dir.plantSnapshot(Instant.now().minus(Duration.ofHours(1)), QdrantStandIn.COLLECTION,
                TestData.snapshot(12 << 20));
        Instant after = Instant.now();

        JsonPath record = Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> JsonPath.from(Files.readString(dir.directory().resolve(".integrity.json"))),
                        read -> Instant.parse(read.getString("startedAt")).isAfter(after));

        assertThat(record.getInt("checked")).isEqualTo(1);
        assertThat(record.getList("failed", String.class)).isEmpty();
        assertThat(record.getLong("bytes")).isEqualTo(Files.size(planted));
        assertThat(Duration.between(Instant.parse(record.getString("startedAt")),
                Instant.parse(record.getString("finishedAt")))).isGreaterThanOrEqualTo(Duration.ofMillis(2_900));
        assertThat(Scrape.value("snapshotter_last_integrity_check_timestamp_seconds"))
                .isGreaterThanOrEqualTo(after.getEpochSecond());
    }
}
