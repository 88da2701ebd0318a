package dev.snapshotter.snapshot;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/** The newest snapshot is 2 h old and QDRANT_SNAPSHOT_ON_START_MIN_INTERVAL is 1h: the boot snapshot is taken. */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.on-start", value = "true"),
        @ResourceArg(name = "qdrant.snapshot.on-start-min-interval", value = "1h") }, plantedSnapshotAge = "PT2H")
@ExtendWith(SecretsStayHidden.class)
class BootMinIntervalElapsedTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @Test
    void takesTheBootSnapshotWhenTheNewestIsOlderThanTheInterval() {
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));

        given().get("/q/health/started").then().body("checks[0].data.status", equalTo("completed"));
        assertThat(qdrant.creates()).hasSize(1);
        assertThat(dir.list().stream().filter(f -> f.toString().endsWith(".snap"))).hasSize(2);
    }
}
