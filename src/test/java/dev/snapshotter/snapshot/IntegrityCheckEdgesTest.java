package dev.snapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.function.UnaryOperator;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.snapshotter.qdrant.SnapshotArchive;
import dev.snapshotter.store.SnapshotCatalog;
import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.junit.QuarkusTest;

/**
 * What an integrity check's re-read does with a snapshot that changes under it: one that retention or a deletion
 * removed since the listing is no finding and gets no mark; one that cannot be read fails and is marked.
 */
@QuarkusTest
@WithQdrantStandIn
class IntegrityCheckEdgesTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @Inject
    SnapshotCatalog catalog;

    @BeforeEach
    void reset() {
        qdrant.reset();
    }

    @Test
    void aSnapshotRemovedSinceTheListingIsNoFindingAndGetsNoMark() throws Exception {
        Path planted = dir.plantSnapshot(Instant.parse("2026-11-01T00:00:00Z"), QdrantStandIn.COLLECTION,
                TestData.snapshot(8_000));
        SnapshotCatalog.Entry listed = catalog.find(planted.getFileName().toString()).orElseThrow();
        Files.delete(planted);

        assertThat(catalog.verifyIfListed(listed, SnapshotArchive::new, UnaryOperator.identity())).isEmpty();
        assertThat(Path.of(planted + ".verify-failed")).doesNotExist();
    }

    @Test
    void aSnapshotThatCannotBeReadFailsAndIsMarked() throws Exception {
        Path planted = dir.plantSnapshot(Instant.parse("2026-11-02T00:00:00Z"), QdrantStandIn.COLLECTION,
                TestData.snapshot(8_000));
        SnapshotCatalog.Entry listed = catalog.find(planted.getFileName().toString()).orElseThrow();
        Files.delete(planted);
        Files.createDirectory(planted); // reading it fails with an I/O error, as a bad sector would

        Optional<SnapshotCatalog.Verification> verification = catalog.verifyIfListed(listed, SnapshotArchive::new,
                UnaryOperator.identity());

        assertThat(verification).hasValueSatisfying(v -> {
            assertThat(v.verified()).isFalse();
            assertThat(v.problem()).startsWith("it could not be read: ");
        });
        assertThat(Path.of(planted + ".verify-failed")).exists();
        assertThat(catalog.failingVerification()).isEqualTo(1);
        Files.delete(planted);
    }
}
