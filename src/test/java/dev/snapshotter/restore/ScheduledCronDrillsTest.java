package dev.snapshotter.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

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
 * QDRANT_SNAPSHOT_DRILL_SCHEDULE in its cron form (every 2 seconds here): drills run at the cron's firings, each into a
 * scratch collection of its own that is dropped afterwards.
 */
@QuarkusTest
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.drill-schedule", value = "*/2 * * * * ?"), drillable = true)
@ExtendWith(SecretsStayHidden.class)
class ScheduledCronDrillsTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void drillsAtTheCronsFirings() {
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> Scrape.value("snapshotter_drills_total{result=\"passed\"}") >= 2);

        assertThat(Scrape.value("snapshotter_drills_total{result=\"failed\"}")).isZero();
        assertThat(qdrant.requests("POST", "/collections/drill-kairos-")
                .stream().filter(r -> r.getUrl().contains("/snapshots/upload")).map(r -> r.getUrl()).distinct())
                .hasSizeGreaterThanOrEqualTo(2);
        assertThat(qdrant.requests("DELETE", "/collections/drill-kairos-")).hasSizeGreaterThanOrEqualTo(2);
    }
}
