package dev.snapshotter.snapshot;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.LogCapture;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/** QDRANT_SNAPSHOT_SCHEDULE as a Quartz cron firing every 2 seconds: runs with reason schedule, skips when busy. */
@QuarkusTest
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.schedule", value = "*/2 * * * * ?"))
@ExtendWith(SecretsStayHidden.class)
class ScheduledSnapshotsTest {

    static final String COMPLETED = "snapshotter_runs_total{reason=\"schedule\",status=\"completed\",target=\"qdrant\"}";
    static final String SKIPPED = "snapshotter_runs_total{reason=\"schedule\",status=\"skipped\",target=\"qdrant\"}";
    static final String NEXT = "snapshotter_next_scheduled_run_timestamp_seconds{target=\"qdrant\"}";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @Test
    void runsOnScheduleAndSkipsWhileARunIsGoing() {
        double completedBefore = Scrape.value(COMPLETED);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Scrape.value(COMPLETED) > completedBefore);
        double next = Scrape.value(NEXT);
        assertThat(next).isBetween((double) Instant.now().getEpochSecond() - 1, Instant.now().getEpochSecond() + 3.0);
        assertThat(dir.list().stream().filter(f -> f.toString().endsWith(".snap"))).isNotEmpty();

        // a run that takes 5 s: the firings meanwhile are skipped, not queued
        qdrant.reset();
        QdrantStandIn.Snapshot slow = qdrant.snapshotServed("kairos", TestData.snapshot(1000));
        qdrant.createSlow(slow, 5000);
        double skippedBefore = Scrape.value(SKIPPED);
        try (LogCapture logs = LogCapture.install()) {
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> Scrape.value(SKIPPED) >= skippedBefore + 1);
            assertThat(logs.lines()).anyMatch(line -> line.startsWith("INFO") && line.contains("Scheduled snapshot skipped"));
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> qdrant.creates().size() >= 1);
        // while the slow create held the slot, no second create was sent
        assertThat(qdrant.creates().stream().filter(r -> r.getLoggedDate().toInstant()
                .isBefore(qdrant.creates().get(0).getLoggedDate().toInstant().plusMillis(4500)))).hasSize(1);
    }

    /**
     * A proxy in front of Qdrant that answers 404 to every path (a wrong path prefix in {@code QDRANT_URL}) is no missing
     * collection: with an empty directory, the scheduled run fails with the proxy's answer, where taking it for a first
     * deployment ("nothing to back up yet") would skip it and hide the misconfiguration.
     */
    @Test
    void aProxysNotFoundFailsTheRunRatherThanPassingForAFirstDeployment() {
        qdrant.server().stubFor(any(anyUrl()).atPriority(1).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "text/plain; charset=utf-8").withBody("404 page not found")));
        String proxysAnswer = "Qdrant answered 404 to list aliases: 404 page not found";
        try (LogCapture logs = LogCapture.install()) {
            // once a firing has met the proxy, every later one does
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> SecretsStayHidden.appLines(logs).stream()
                    .anyMatch(line -> line.contains(proxysAnswer)));
        }
        dir.clear(); // no backup: what a first deployment would look like
        try (LogCapture logs = LogCapture.install()) {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> SecretsStayHidden.appLines(logs).stream()
                    .anyMatch(line -> line.contains("Snapshot") && line.contains(proxysAnswer)));
            assertThat(SecretsStayHidden.appLines(logs))
                    .anyMatch(line -> line.startsWith("ERROR") && line.contains("Snapshot failed: reason=schedule")
                            && line.contains(proxysAnswer))
                    .noneMatch(line -> line.contains("Nothing to back up yet"));
        } finally {
            qdrant.reset();
        }
    }
}
