package dev.snapshotter.snapshot;

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

        assertThat(new SnapshotDirectory(config(directory.toString())).prepare()).isEqualTo(directory);

        assertThat(part).doesNotExist();
        assertThat(sidecarPart).doesNotExist();
        assertThat(snapshot).hasContent("whole");
        assertThat(ledger).exists();
        assertThat(foreign).exists();
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
