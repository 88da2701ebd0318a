package dev.snapshotter.restore;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.LocalTime;
import java.util.concurrent.CompletableFuture;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * A scheduled drill whose firing finds a snapshot run going is deferred, not dropped: it runs within seconds of that
 * run's end. Before, the firing was skipped and the drill waited for the next one, a week later with the weekly drill
 * of the Helm example when it met a long snapshot run. Drills fire here at :00, :20 and :40 of each minute.
 */
@QuarkusTest
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.drill-schedule", value = "0/20 * * * * ?"), drillable = true)
@ExtendWith(SecretsStayHidden.class)
class ScheduledDrillDeferredTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void aFiringDuringASnapshotRunDrillsOnceTheRunEnds() throws Exception {
        // 3 s before a firing; the drills of earlier firings are done by then
        Awaitility.await().atMost(Duration.ofSeconds(25)).pollInterval(Duration.ofMillis(100))
                .until(() -> LocalTime.now().getSecond() % 20 == 17);
        double passed = Scrape.value("snapshotter_drills_total{result=\"passed\"}");
        // a snapshot run that holds the slot across the firing for 6 s, then fails (no newer snapshot to drill)
        qdrant.server().stubFor(post(urlEqualTo("/collections/kairos/snapshots?wait=true")).atPriority(1)
                .withHeader("api-key", equalTo(QdrantStandIn.API_KEY))
                .willReturn(aResponse().withStatus(500).withFixedDelay(6_000)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"status\":{\"error\":\"Service internal error: held\"},\"time\":0.1}")));
        CompletableFuture<Response> run = CompletableFuture.supplyAsync(ServiceApi::trigger);

        // the run ends about 3 s after the firing, the next firing 17 s after that: the drill comes well before it
        assertThat(run.get().statusCode()).isEqualTo(502);
        Awaitility.await().atMost(Duration.ofSeconds(12)).until(
                () -> Scrape.value("snapshotter_drills_total{result=\"passed\"}") == passed + 1);
        assertThat(Scrape.value("snapshotter_drills_total{result=\"failed\"}")).isZero();
    }
}
