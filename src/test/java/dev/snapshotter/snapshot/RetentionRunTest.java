package dev.snapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.LogCapture;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Scrape;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** QDRANT_SNAPSHOT_KEEP_LAST=2 end to end: the run's report, the log, the metric and the directory. */
@QuarkusTest
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.keep-last", value = "2"))
@ExtendWith(SecretsStayHidden.class)
class RetentionRunTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @BeforeEach
    void resetQdrant() {
        qdrant.reset();
    }

    @Test
    void prunesAfterAVerifiedRunAndSaysWhat() throws Exception {
        Instant now = Instant.now();
        Path older = dir.plantSnapshot(now.minus(Duration.ofDays(2)), "kairos", TestData.snapshot(10));
        Path oldest = dir.plantSnapshot(now.minus(Duration.ofDays(3)), "kairos", TestData.snapshot(11));
        Path newest = dir.plantSnapshot(now.minus(Duration.ofDays(1)), "kairos", TestData.snapshot(12));
        Path other = dir.plantSnapshot(now.minus(Duration.ofDays(9)), "other", TestData.snapshot(13));
        Files.writeString(dir.directory().resolve("notes.txt"), "mine");
        qdrant.snapshotServed("kairos", TestData.snapshot(2000));
        double pruned = Scrape.value("snapshotter_pruned_total{target=\"qdrant\"}");

        JsonPath report;
        try (LogCapture logs = LogCapture.install()) {
            report = ServiceApi.trigger().then().statusCode(200).extract().jsonPath();
            assertThat(logs.lines()).anyMatch(line -> line.startsWith("INFO") && line.contains("Pruned "
                    + oldest.getFileName() + " (keep-last=2)"));
        }

        assertThat(report.getList("targets[0].pruned", String.class))
                .containsExactlyInAnyOrder(older.getFileName().toString(), oldest.getFileName().toString());
        Path taken = Path.of(report.getString("targets[0].filePath"));
        List<Path> left = dir.list();
        assertThat(left).contains(taken, newest, Path.of(newest + ".sha256"), other, Path.of(other + ".sha256"),
                dir.directory().resolve("notes.txt"));
        assertThat(left).doesNotContain(older, oldest, Path.of(older + ".sha256"), Path.of(oldest + ".sha256"));
        assertThat(Scrape.value("snapshotter_pruned_total{target=\"qdrant\"}")).isEqualTo(pruned + 2);
    }

    @Test
    void prunesNothingAfterAFailedRun() throws Exception {
        Instant now = Instant.now();
        for (int days = 1; days <= 4; days++) {
            dir.plantSnapshot(now.minus(Duration.ofDays(days)), "kairos", TestData.snapshot(10 + days));
        }
        List<Path> before = dir.list();
        qdrant.createFails("kairos", 500, "Service internal error: boom");

        ServiceApi.trigger().then().statusCode(502);

        assertThat(dir.list()).isEqualTo(before);
    }

    /**
     * The collection is emptied (an app that recreated it, a delete by mistake) and the schedule goes on: each run
     * backs up nothing. The newest backup that holds points stays, with a WARN and a remark, while the newer ones
     * hold none, however many runs pass; the empty ones are pruned by the rule. Before, keep-last=2 deleted it at the
     * third empty run, and nothing held the collection's data any more.
     */
    @Test
    void theNewestBackupThatHoldsPointsOutlivesRunsOfAnEmptiedCollection() throws Exception {
        qdrant.snapshotServed("kairos", TestData.snapshot(2000));
        Path good = Path.of(ServiceApi.trigger().then().statusCode(200).extract().<String> path("targets[0].filePath"));

        qdrant.pointsCounted("kairos", 0);
        JsonPath last = null;
        for (int run = 1; run <= 3; run++) {
            Thread.sleep(1_000); // Qdrant names its snapshots to the second
            qdrant.snapshotServed("kairos", TestData.snapshot(2000 + run));
            last = ServiceApi.trigger().then().statusCode(200).extract().jsonPath();
        }

        assertThat(good).exists();
        assertThat(last.getString("targets[0].message")).contains("Kept " + good.getFileName() + " although "
                + "keep-last=2 would delete it: it is the newest backup that holds points, and the 3 newer one(s) "
                + "hold none");
        assertThat(last.getList("targets[0].pruned", String.class)).hasSize(1);
        assertThat(dir.list().stream().filter(file -> file.toString().endsWith(".snap"))).hasSize(3);
    }

    /**
     * Most of the collection's points go (a bulk delete by mistake, an app's bug) short of emptying it: the run that
     * backs up what is left says so, naming the backup before it that holds them, so that someone keeps it before
     * retention rotates it out. Before, nothing was said; a run that loses fewer than half says nothing either.
     */
    @Test
    void aRunThatBacksUpUnderHalfThePointsOfTheBackupBeforeItSaysSo() throws Exception {
        qdrant.snapshotServed("kairos", TestData.snapshot(2000));
        Path full = Path.of(ServiceApi.trigger().then().statusCode(200).extract().<String> path("targets[0].filePath"));

        Thread.sleep(1_000); // Qdrant names its snapshots to the second
        qdrant.pointsCounted("kairos", 700);
        qdrant.snapshotServed("kairos", TestData.snapshot(2001));
        JsonPath mild = ServiceApi.trigger().then().statusCode(200).extract().jsonPath();
        assertThat(String.valueOf(mild.getString("targets[0].message"))).doesNotContain("under half");

        Thread.sleep(1_000);
        qdrant.pointsCounted("kairos", 40);
        qdrant.snapshotServed("kairos", TestData.snapshot(2002));
        String message;
        try (LogCapture logs = LogCapture.install()) {
            JsonPath sharp = ServiceApi.trigger().then().statusCode(200).extract().jsonPath();
            message = sharp.getString("targets[0].message");
            String taken = Path.of(sharp.getString("targets[0].filePath")).getFileName().toString();
            assertThat(message).contains(taken + " holds 40 points, under half the 700 of "
                    + Path.of(mild.getString("targets[0].filePath")).getFileName()
                    + ", the backup before it: if points were lost, that backup holds them");
            assertThat(SecretsStayHidden.appLines(logs)).anyMatch(line -> line.startsWith("WARN")
                    && line.contains(taken + " holds 40 points"));
        }
        assertThat(full).doesNotExist(); // keep-last=2: the rules go on as before
    }

    /**
     * A restore that overwrites the collection snapshots it first, and that snapshot's run would rotate out the very
     * backup being restored (keep-last=2: the older of two, once a third is taken). It is left for a later pruning,
     * said at INFO; the restore completes; the next run prunes by the rules. Before, the safety snapshot's retention
     * deleted the backup the operator had chosen, and the restore failed for want of it.
     */
    @Test
    void theBackupBeingRestoredOutlivesTheRetentionOfTheSnapshotTakenBeforeIt() throws Exception {
        Instant now = Instant.now();
        Path chosen = dir.plantRestorable(QdrantStandIn.POINTS, now.minus(Duration.ofDays(2)));
        Path newer = dir.plantRestorable(QdrantStandIn.POINTS, now.minus(Duration.ofDays(1)));
        qdrant.snapshotServed("kairos", TestData.snapshot(2000));
        qdrant.restoresUploadsOver("kairos", 1);
        qdrant.aliasesUpdated();

        try (LogCapture logs = LogCapture.install()) {
            ServiceApi.api().contentType("application/json").body("{\"overwrite\":true}")
                    .post("/api/snapshots/" + chosen.getFileName() + "/restore").then().statusCode(200)
                    .body("status", equalTo("completed"))
                    .body("safetySnapshot", notNullValue());
            assertThat(SecretsStayHidden.appLines(logs)).anyMatch(line -> line.startsWith("INFO") && line.contains(
                    "Left " + chosen.getFileName() + " for a later pruning, although keep-last=2 would delete it: a "
                            + "restore or drill is reading local snapshots"));
        }
        assertThat(dir.list()).containsAll(SnapshotDir.completed(chosen));

        Thread.sleep(1_000); // Qdrant names its snapshots to the second
        qdrant.snapshotServed("kairos", TestData.snapshot(2001));
        assertThat(ServiceApi.trigger().then().statusCode(200).extract().jsonPath()
                .getList("targets[0].pruned", String.class))
                .containsExactlyInAnyOrder(chosen.getFileName().toString(), newer.getFileName().toString());
    }
}
