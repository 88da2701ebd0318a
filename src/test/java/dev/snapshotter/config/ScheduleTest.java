package dev.snapshotter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** How QDRANT_SNAPSHOT_SCHEDULE is read: plain JUnit. */
class ScheduleTest {

    private final Schedule.Reader reader = new Schedule.Reader();

    @Test
    void readsQuartzCronOfSixOrSevenFields() {
        assertThat(reader.convert(" 0 0 3 * * ? ")).isEqualTo(new Schedule("0 0 3 * * ?", null));
        assertThat(reader.convert("0 30 2 ? * MON-FRI 2026-2030").cron()).isEqualTo("0 30 2 ? * MON-FRI 2026-2030");
    }

    @Test
    void readsTheEveryForm() {
        assertThat(reader.convert("every 6h")).isEqualTo(new Schedule(null, Duration.ofHours(6)));
        assertThat(reader.convert("EVERY 90m").every()).isEqualTo(Duration.ofMinutes(90));
        assertThat(reader.convert("every 6h")).hasToString("every 6h");
    }

    @Test
    void refusesWhatIsNeitherNamingTheVariable() {
        for (String bad : new String[] { "0 0 25 * * ?", "* * * * *", "daily", "every", "every -1h", "every soon" }) {
            assertThatThrownBy(() -> reader.convert(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("QDRANT_SNAPSHOT_SCHEDULE must be a Quartz cron expression");
        }
    }
}
