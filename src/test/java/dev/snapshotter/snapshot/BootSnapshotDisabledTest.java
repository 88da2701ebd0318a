package dev.snapshotter.snapshot;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/** QDRANT_SNAPSHOT_ON_START off (the default): nothing is created at boot, the result is skipped, probes are UP. */
@QuarkusTest
// its own init args give this class its own application and stand-in, so the stand-in's journal starts at boot
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.on-start", value = "off"))
@ExtendWith(SecretsStayHidden.class)
class BootSnapshotDisabledTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @Test
    void skipsBootSnapshotAndReportsProbesUp() {
        given().get("/q/health/started").then().statusCode(200)
                .body("checks[0].name", equalTo("boot-snapshot"))
                .body("checks[0].data.status", equalTo("skipped"));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/live").then().statusCode(200);
        // the stand-in's journal covers everything since the app booted
        assertThat(qdrant.creates()).isEmpty();
        assertThat(dir.list()).isEmpty();
        String metrics = given().get("/q/metrics").asString();
        assertThat(dev.snapshotter.support.Scrape.value(metrics,
                "snapshotter_runs_total{reason=\"startup\",status=\"completed\",target=\"qdrant\"}")).isZero();
    }
}
