package dev.snapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@code every 1h}, and the newest verified snapshot is 50 minutes old: nothing is taken at boot, and the next run
 * is published (and logged) as due 10 minutes from now, one interval after that snapshot, not one after boot.
 */
@QuarkusTest
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.schedule", value = "every 1h"), plantedSnapshotAge = "PT50M")
@ExtendWith(SecretsStayHidden.class)
class ScheduleEveryDueTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void isDueOneIntervalAfterTheNewestSnapshotNotAfterBoot() {
        long inTenMinutes = Instant.now().plus(Duration.ofMinutes(10)).getEpochSecond();
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(Scrape.value(ScheduleEveryOverdueTest.NEXT)).isBetween(inTenMinutes - 60.0,
                        inTenMinutes + 5.0));
        assertThat(Scrape.value(ScheduleEveryOverdueTest.COMPLETED)).isZero();
        assertThat(qdrant.creates()).isEmpty();
    }
}
