package dev.snapshotter.qdrant;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Whether Qdrant restores a snapshot into a collection now, read from its telemetry ({@code GET
 * /telemetry?details_level=2}, {@code collections.snapshots}): what a boot waiting for Qdrant's restore goes by.
 */
@QuarkusTest
@WithQdrantStandIn
class QdrantTelemetryTest {

    private static final Duration CALL = Duration.ofSeconds(5);

    @InjectQdrant
    QdrantStandIn qdrant;

    @Inject
    QdrantClient client;

    @BeforeEach
    void reset() {
        qdrant.reset();
    }

    @Test
    void aRestoreGoingIsSeenAndNoneGoingIsSaid() {
        assertThat(client.restoring("kairos", CALL, () -> false)).contains(false); // Qdrant lists none yet

        qdrant.restoreGoesOn("kairos", "restore-x.snapshot", 0, 10);
        qdrant.server().setScenarioState("restore " + java.util.regex.Pattern.quote("kairos"), "restoring");
        assertThat(client.restoring("kairos", CALL, () -> false)).contains(true);
        assertThat(client.restoring("other", CALL, () -> false)).contains(false);

        qdrant.restoreFails("kairos", "restore-x.snapshot", 10);
        assertThat(client.restoring("kairos", CALL, () -> false)).contains(false); // listed, none running
    }

    @Test
    void aQdrantBefore116OrAKeyThatMayNotReadTheTelemetrySaysNothing() {
        qdrant.telemetrySaysNothingOfRestores(false);
        assertThat(client.restoring("kairos", CALL, () -> false)).isEmpty();

        qdrant.telemetrySaysNothingOfRestores(true);
        assertThat(client.restoring("kairos", CALL, () -> false)).isEmpty();
    }
}
