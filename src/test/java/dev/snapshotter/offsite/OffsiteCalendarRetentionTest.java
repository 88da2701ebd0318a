package dev.snapshotter.offsite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.InjectS3;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.S3Bucket;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * {@code QDRANT_SNAPSHOT_S3_KEEP_DAILY=2} in the bucket, independent of the directory (no local rule here): each UTC
 * day's newest stays off-site for the last two days that hold a backup, each going with its sidecars.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn
@WithS3(config = @ResourceArg(name = "qdrant.snapshot.s3.keep-daily", value = "2"))
@ExtendWith(SecretsStayHidden.class)
class OffsiteCalendarRetentionTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @InjectS3
    S3Bucket bucket;

    @BeforeEach
    void reset() {
        ServiceApi.awaitReady();
        qdrant.reset();
        bucket.empty(bucket.prefix() + "/");
    }

    @Test
    void calendarRulesPruneTheBucket() {
        List<String> planted = plantBeforeToday(1, 20, 30);
        String yesterdayEvening = planted.get(0);
        String yesterdayMorning = planted.get(1);
        String dayBefore = planted.get(2);
        qdrant.snapshotServed("kairos", TestData.snapshot(5000));

        JsonPath report = ServiceApi.trigger().then().statusCode(200).extract().jsonPath();

        String taken = Path.of(report.getString("targets[0].filePath")).getFileName().toString();
        assertThat(report.getList("targets[0].offsite.pruned", String.class))
                .containsExactlyInAnyOrder(yesterdayMorning, dayBefore);
        assertThat(bucket.keys()).containsExactlyInAnyOrder("kairos/" + taken, "kairos/" + taken + ".sha256",
                "kairos/" + taken + ".json", "kairos/" + yesterdayEvening, "kairos/" + yesterdayEvening + ".sha256",
                "kairos/" + yesterdayEvening + ".json");
        assertThat(report.getList("targets[0].pruned", String.class)).isNullOrEmpty(); // no local rule
    }

    @Test
    void thePreviewSaysWhatTheNextCopyPrunesOffSite() {
        List<String> planted = plantBeforeToday(1, 20, 30, 60); // yesterday evening and morning, the day before, older
        List<String> before = bucket.keys();

        JsonPath preview = ServiceApi.api().get("/api/retention").then().statusCode(200).extract().jsonPath();

        assertThat(preview.getString("local.rules")).isNull(); // no local rule: nothing goes there
        assertThat(preview.getString("offsite.rules")).isEqualTo("keep-daily=2");
        assertThat(preview.getList("offsite.backups.file", String.class)).isEqualTo(planted);
        assertThat(preview.getList("offsite.backups.kept", Boolean.class)).containsExactly(true, false, true, false);
        assertThat(preview.getList("offsite.backups[2].keptBy", String.class)).containsExactly("keep-daily");
        assertThat(bucket.keys()).isEqualTo(before);
    }

    /** Our snapshots of {@code kairos} in the bucket, taken so many hours before today began (UTC), by name. */
    private List<String> plantBeforeToday(int... hours) {
        Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS);
        List<String> planted = new ArrayList<>();
        for (int before : hours) {
            planted.add(SnapshotDir.fileName(today.minus(Duration.ofHours(before)), "kairos"));
            bucket.plantOurs("kairos", planted.get(planted.size() - 1), "{}");
        }
        return planted;
    }
}
