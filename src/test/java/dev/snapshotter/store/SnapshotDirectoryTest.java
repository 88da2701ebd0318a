package dev.snapshotter.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.snapshotter.config.QdrantConfig;

/** Boot's preparation of the directory, on its own: what a crashed run (kill -9) left is cleaned up. */
class SnapshotDirectoryTest {

    @TempDir
    Path directory;

    @Test
    void removesWhatAKilledRunLeftAndNothingElse() throws Exception {
        Path part = Files.writeString(directory.resolve(".2026-11-24T00-15-00-123Z-kairos.snap.part"), "half");
        Path sidecarPart = Files.writeString(directory.resolve(".2026-11-24T00-15-00-123Z-kairos.snap.sha256.part"), "x");
        Path snapshot = Files.writeString(directory.resolve("2026-11-23T00-15-00-123Z-kairos.snap"), "whole");
        Path ledger = Files.writeString(directory.resolve(".qdrant-copies.json"), "{\"copies\":[]}");
        Path foreign = Files.writeString(directory.resolve("notes.part"), "not hidden: not ours");
        Path manifestPart = Files.writeString(directory.resolve(".2026-11-24T00-15-00-123Z-kairos.snap.json.part"), "{");
        Path ledgerPart = Files.writeString(directory.resolve(".qdrant-copies.json.part"), "{");
        // the temporary names writeAtomically really gives the ledger, the run journal and the drill history
        Path drills = Files.writeString(directory.resolve(".drills.json"), "{}");
        Path drillsTemp = Files.writeString(directory.resolve("..drills.json.part"), "{");
        Path ledgerTemp = Files.writeString(directory.resolve("..qdrant-copies.json.part"), "{");
        Path journalTemp = Files.writeString(directory.resolve("..runs.journal.part"), "{");
        Path probe = Files.writeString(directory.resolve(".write-probe-8812736451.part"), "");
        // hidden .part files of other tools (an rsync, an editor, another backup job) are not ours to delete
        Path hiddenForeign = Files.writeString(directory.resolve(".rsync-upload.part"), "someone else's");
        Path lookAlike = Files.writeString(directory.resolve(".kairos.snap.part"), "not our name");

        SnapshotDirectory prepared = new SnapshotDirectory(config(directory.toString()));
        try {
            assertThat(prepared.prepare()).isEqualTo(directory);
        } finally {
            prepared.onShutdown(null);
        }

        assertThat(part).doesNotExist();
        assertThat(sidecarPart).doesNotExist();
        assertThat(manifestPart).doesNotExist();
        assertThat(ledgerPart).doesNotExist();
        assertThat(ledgerTemp).doesNotExist();
        assertThat(journalTemp).doesNotExist();
        assertThat(drillsTemp).doesNotExist();
        assertThat(drills).hasContent("{}");
        assertThat(probe).doesNotExist();
        assertThat(snapshot).hasContent("whole");
        assertThat(ledger).exists();
        assertThat(foreign).exists();
        assertThat(hiddenForeign).hasContent("someone else's");
        assertThat(lookAlike).exists();
    }

    @Test
    void removesTheCopyOfASetMemberAKilledHealLeftInTheSet() throws Exception {
        Path set = Files.createDirectory(directory.resolve("2026-11-24T00-15-00-123Z-kairos.set"));
        Path member = Files.writeString(set.resolve("1.snap"), "whole");
        Path checksum = Files.writeString(set.resolve("1.snap.sha256"), "x  1.snap\n");
        Path memberPart = Files.writeString(set.resolve(".1.snap.part"), "half");
        Path checksumPart = Files.writeString(set.resolve(".1.snap.sha256.part"), "x");
        Path notASet = Files.createDirectory(directory.resolve("photos.set"));
        Path foreign = Files.writeString(notASet.resolve(".upload.part"), "someone else's");

        SnapshotDirectory prepared = new SnapshotDirectory(config(directory.toString()));
        try {
            prepared.prepare();
        } finally {
            prepared.onShutdown(null);
        }

        assertThat(memberPart).doesNotExist();
        assertThat(checksumPart).doesNotExist();
        assertThat(member).hasContent("whole");
        assertThat(checksum).exists();
        assertThat(foreign).exists();
    }

    /**
     * A run stopped after writing a snapshot's checksum file but before linking the snapshot under its name, or a
     * removal stopped after deleting the snapshot but before the files beside it, leaves files that vouch for, describe
     * or mark a backup no longer there.
     */
    @Test
    void removesTheFilesBesideABackupThatIsNoLongerThere() throws Exception {
        String gone = "2026-11-24T00-15-00-123Z-kairos.snap";
        Path checksum = Files.writeString(directory.resolve(gone + ".sha256"), "x  " + gone + "\n");
        Path manifest = Files.writeString(directory.resolve(gone + ".json"), "{}");
        Path mark = Files.writeString(directory.resolve(gone + ".verify-failed"), "");
        Path drill = Files.writeString(directory.resolve("2026-11-22T00-15-00-123Z-kairos.set.drill"), "{}");
        String kept = "2026-11-23T00-15-00-123Z-kairos.snap";
        Path snapshot = Files.writeString(directory.resolve(kept), "whole");
        Path itsChecksum = Files.writeString(directory.resolve(kept + ".sha256"), "x  " + kept + "\n");
        Path itsManifest = Files.writeString(directory.resolve(kept + ".json"), "{}");
        Path set = Files.createDirectory(directory.resolve("2026-11-21T00-15-00-123Z-kairos.set"));
        Path setMark = Files.writeString(directory.resolve("2026-11-21T00-15-00-123Z-kairos.set.verify-failed"), "");
        Path foreign = Files.writeString(directory.resolve("notes.json"), "{}");
        Path lookAlike = Files.writeString(directory.resolve("kairos.snap.sha256"), "not our name");

        SnapshotDirectory prepared = new SnapshotDirectory(config(directory.toString()));
        try {
            prepared.prepare();
        } finally {
            prepared.onShutdown(null);
        }

        assertThat(checksum).doesNotExist();
        assertThat(manifest).doesNotExist();
        assertThat(mark).doesNotExist();
        assertThat(drill).doesNotExist();
        assertThat(snapshot).hasContent("whole");
        assertThat(itsChecksum).exists();
        assertThat(itsManifest).exists();
        assertThat(set).isDirectory();
        assertThat(setMark).exists();
        assertThat(foreign).exists();
        assertThat(lookAlike).exists();
    }

    @Test
    void refusesADirectoryAnotherInstanceHolds() throws Exception {
        SnapshotDirectory first = new SnapshotDirectory(config(directory.toString()));
        first.prepare();
        try {
            assertThat(directory.resolve(".snapshotter.lock")).content()
                    .startsWith("pid " + ProcessHandle.current().pid() + " on host ");
            // a second holder (in this test, the same process: the lock is per file, whoever asks)
            Path leftover = Files.writeString(directory.resolve(".2026-11-24T00-15-00-123Z-kairos.snap.part"), "live");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SnapshotDirectory(config(directory.toString()))
                    .prepare()).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("QDRANT_SNAPSHOT_DIR " + directory + " is in use by another "
                            + "qdrant-snapshotter (pid " + ProcessHandle.current().pid() + " on host ");
            assertThat(leftover).exists(); // the first instance's download in flight is untouched
        } finally {
            first.onShutdown(null);
        }
        // once the first lets go, the directory is free again
        SnapshotDirectory next = new SnapshotDirectory(config(directory.toString()));
        next.prepare();
        next.onShutdown(null);
    }

    /** A configuration whose only answer is the snapshot directory. */
    static QdrantConfig config(String dir) {
        QdrantConfig.Snapshot snapshot = (QdrantConfig.Snapshot) Proxy.newProxyInstance(
                QdrantConfig.class.getClassLoader(), new Class<?>[] { QdrantConfig.Snapshot.class },
                (proxy, method, args) -> method.getName().equals("dir") ? dir : null);
        return (QdrantConfig) Proxy.newProxyInstance(QdrantConfig.class.getClassLoader(),
                new Class<?>[] { QdrantConfig.class },
                (proxy, method, args) -> method.getName().equals("snapshot") ? snapshot : null);
    }
}
