package dev.snapshotter.offsite;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.InjectS3;
import dev.snapshotter.support.Relay;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A scrape of {@code /q/metrics} never waits on the bucket for the restore drills' records: while S3 takes requests and
 * never answers (a relay that stops reading), the scrape answers at once, before the folder's first listing and while
 * a drill's record is being written, and the last-drill gauge gives what the directory records meanwhile. A Prometheus
 * scrape that waits past its timeout loses every series, and a down target pages.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.stall-timeout", value = "5s"), drillable = true)
@WithS3(proxy = WithS3.Proxy.PLAIN)
@ExtendWith(SecretsStayHidden.class)
class OffsiteDrillScrapeTest {

    static final String LAST_PASSED = "snapshotter_last_drill_success_timestamp_seconds";
    /**
     * Under the first listing's 10 s and a silent S3 request's 5 s (times the SDK's attempts), with room for a slow machine.
     */
    static final Duration PROMPT = Duration.ofSeconds(4);

    @InjectQdrant
    SnapshotDir dir;

    @InjectS3
    Relay proxy;

    @AfterEach
    void flow() {
        proxy.flowAgain();
    }

    @Test
    void aScrapeAnswersWhileTheBucketIsSilent() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));

        // the first scrape of the app: the bucket's drill records were never listed
        proxy.stallAfter(0);
        assertThat(assertTimeoutPreemptively(PROMPT, () -> Scrape.value(LAST_PASSED))).isZero();
        proxy.flowAgain();

        // the restorable snapshot the stand-in planted, named: a drill of "the newest" would look in the bucket
        String name = ServiceApi.api().get("/api/snapshots").then()
                .statusCode(200).extract().path("[0].file");
        Path file = dir.directory().resolve(name);

        // a drill whose record off-site S3 takes and never answers
        proxy.stallAfter(0);
        Instant before = Instant.now();
        CompletableFuture<Integer> drill = CompletableFuture.supplyAsync(() -> ServiceApi.api().contentType("application/json")
                .body("{\"file\":\"" + name + "\"}").post("/api/drill").statusCode());
        Path record = file.resolveSibling(file.getFileName() + ".drill");
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(record));

        double lastPassed = assertTimeoutPreemptively(PROMPT, () -> Scrape.value(LAST_PASSED));
        assertThat(lastPassed).isGreaterThanOrEqualTo(before.getEpochSecond() - 1);

        proxy.flowAgain();
        assertThat(drill.get()).isEqualTo(200); // the drill passed, whatever became of its record off-site
    }
}
