package dev.snapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The run object: a report is made from what it holds once, and nothing a late writer (a cluster member's thread, a
 * cleanup) adds can make the run's record say more than its report did.
 */
class RunProgressTest {

    @Test
    void holdsWhatTheRunDidInOrderUntilItsReportIsMade() {
        SnapshotTarget.Progress run = new SnapshotTarget.Progress();
        SnapshotTarget.Progress member = new SnapshotTarget.Progress(run);
        run.collection("kairos");
        run.remark("first");
        run.orphanRemoved("kairos-1-2026-12-01-00-00-00.snapshot");
        member.phase("downloading");
        run.remark("second");

        assertThat(run.phase()).isEqualTo("downloading");
        assertThat(run.remarks()).containsExactly("first", "second");
        assertThat(run.message()).isEqualTo("first; second");
        assertThat(run.orphansRemoved()).containsExactly("kairos-1-2026-12-01-00-00-00.snapshot");

        run.finish();

        assertThatThrownBy(() -> run.remark("late")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("report is already made");
        assertThatThrownBy(() -> run.orphanRemoved("late")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> run.snapshotName("late")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> member.phase("publishing")).isInstanceOf(IllegalStateException.class);
        assertThat(run.remarks()).containsExactly("first", "second");
        assertThat(run.phase()).isEqualTo("downloading");
    }
}
