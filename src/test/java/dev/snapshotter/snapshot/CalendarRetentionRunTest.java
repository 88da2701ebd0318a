package dev.snapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.LogCapture;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * QDRANT_SNAPSHOT_KEEP_DAILY=2 end to end: each UTC day's newest stays for the last two days that hold a backup; and
 * {@code GET /api/retention} says beforehand what a run will prune, and why it keeps the rest.
 */
@QuarkusTest
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.keep-daily", value = "2"))
@ExtendWith(SecretsStayHidden.class)
class CalendarRetentionRunTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @BeforeEach
    void reset() {
        qdrant.reset();
        dir.clear();
    }

    /** Snapshots of {@code kairos} taken so many hours before today began (UTC), each with its checksum file. */
    private List<Path> plantBeforeToday(int... hours) {
        Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS);
        List<Path> planted = new ArrayList<>();
        for (int before : hours) {
            planted.add(dir.plantSnapshot(today.minus(Duration.ofHours(before)), "kairos", TestData.snapshot(10 + before)));
        }
        return planted;
    }

    @Test
    void thePreviewSaysWhatTheNextRunPrunesAndDeletesNothing() throws Exception {
        List<Path> planted = plantBeforeToday(1, 20, 30, 60); // yesterday evening and morning, the day before, older
        dir.plantSnapshot(Instant.now().minus(Duration.ofDays(9)), "other", TestData.snapshot(13)); // not listed
        List<Path> before = dir.list();

        io.restassured.RestAssured.get("/api/retention").then().statusCode(401);
        JsonPath preview = ServiceApi.api().get("/api/retention").then().statusCode(200).extract().jsonPath();

        assertThat(preview.getString("collection")).isEqualTo("kairos");
        assertThat(preview.getString("local.rules")).isEqualTo("keep-daily=2");
        assertThat(preview.getList("local.backups.file", String.class))
                .isEqualTo(planted.stream().map(file -> file.getFileName().toString()).toList());
        assertThat(preview.getList("local.backups.kept", Boolean.class)).containsExactly(true, false, true, false);
        assertThat(preview.getList("local.backups[0].keptBy", String.class)).containsExactly("newest", "keep-daily");
        assertThat(preview.getList("local.backups[2].keptBy", String.class)).containsExactly("keep-daily");
        assertThat(preview.getString("offsite")).isNull(); // no bucket
        assertThat(dir.list()).isEqualTo(before);
    }

    @Test
    void calendarRulesKeepEachDaysNewest() throws Exception {
        List<Path> planted = plantBeforeToday(1, 20, 30);
        Path yesterdayEvening = planted.get(0);
        Path yesterdayMorning = planted.get(1);
        Path dayBefore = planted.get(2);
        Path other = dir.plantSnapshot(Instant.now().minus(Duration.ofDays(9)), "other", TestData.snapshot(13));
        qdrant.snapshotServed("kairos", TestData.snapshot(2000));

        JsonPath first;
        try (LogCapture logs = LogCapture.install()) {
            first = ServiceApi.trigger().then().statusCode(200).extract().jsonPath();
            assertThat(logs.lines()).anyMatch(line -> line.startsWith("INFO") && line.contains("Pruned "
                    + yesterdayMorning.getFileName() + " (keep-daily=2)"));
        }
        assertThat(first.getList("targets[0].pruned", String.class)).containsExactlyInAnyOrder(
                yesterdayMorning.getFileName().toString(), dayBefore.getFileName().toString());
        Path firstToday = Path.of(first.getString("targets[0].filePath"));
        assertThat(dir.list()).contains(firstToday, yesterdayEvening, Path.of(yesterdayEvening + ".sha256"), other)
                .doesNotContain(yesterdayMorning, dayBefore, Path.of(dayBefore + ".sha256"));

        // a second run the same day: today's newest replaces today's first, yesterday's newest stays
        Thread.sleep(1_000); // Qdrant names its snapshots to the second
        qdrant.snapshotServed("kairos", TestData.snapshot(2001));
        JsonPath second = ServiceApi.trigger().then().statusCode(200).extract().jsonPath();

        assertThat(second.getList("targets[0].pruned", String.class))
                .containsExactly(firstToday.getFileName().toString());
        assertThat(dir.list()).contains(Path.of(second.getString("targets[0].filePath")), yesterdayEvening, other)
                .doesNotContain(firstToday);
    }
}
