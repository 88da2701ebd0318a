package dev.snapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A trigger during the shutdown delay (after SIGTERM, before the HTTP server stops) starts no run: nothing would
 * cancel it, and the process would stop under it. This app is its own (its init args differ), so the shutdown
 * begun here ends with this class.
 */
@QuarkusTest
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.keep-within", value = "30d"))
@ExtendWith(SecretsStayHidden.class)
class ShutdownRefusalTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @Inject
    SnapshotService service;

    @Test
    void refusesATriggerOnceShutdownHasBegun() {
        qdrant.reset();
        qdrant.snapshotServed("kairos", TestData.snapshot(100));

        service.onShutdown(null);

        ServiceApi.trigger().then().statusCode(503).contentType("application/problem+json")
                .body("detail", containsString("shutting down"));
        assertThat(qdrant.creates()).isEmpty();
        assertThat(dir.list()).isEmpty();
    }
}
