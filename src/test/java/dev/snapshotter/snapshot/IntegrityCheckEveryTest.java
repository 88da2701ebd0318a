package dev.snapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * QDRANT_SNAPSHOT_VERIFY_SCHEDULE=every 1h with no check on record: one check runs once the boot has settled, is
 * recorded and published, and the next is an hour after it, not at every tick; after a restart, one hour after the one
 * recorded.
 */
@QuarkusTest
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.verify-schedule", value = "every 1h"))
@ExtendWith(SecretsStayHidden.class)
class IntegrityCheckEveryTest {

    @InjectQdrant
    SnapshotDir dir;

    @Test
    void checksOnceAtOnceWhenNoneIsOnRecord() throws Exception {
        Path record = dir.directory().resolve(".integrity.json");
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(record));
        String first = JsonPath.from(Files.readString(record)).getString("startedAt");
        assertThat(Scrape.value("snapshotter_last_integrity_check_timestamp_seconds"))
                .isEqualTo(Instant.parse(first).getEpochSecond());

        Thread.sleep(2_500); // a few more ticks: no second check

        assertThat(JsonPath.from(Files.readString(record)).getString("startedAt")).isEqualTo(first);
    }

    @Test
    void aCheckOnRecordIsFollowedOneIntervalLater() {
        Instant now = Instant.parse("2026-12-05T12:00:00Z");
        Duration hour = Duration.ofHours(1);

        assertThat(Cadence.dueAfter(Optional.empty(), hour, now)).isEqualTo(now);
        assertThat(Cadence.dueAfter(Optional.of(now.minus(Duration.ofMinutes(20))), hour, now))
                .isEqualTo(now.plus(Duration.ofMinutes(40)));
        assertThat(Cadence.dueAfter(Optional.of(now.minus(Duration.ofHours(3))), hour, now)).isEqualTo(now);
    }
}
