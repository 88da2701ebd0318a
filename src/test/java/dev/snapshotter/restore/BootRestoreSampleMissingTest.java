package dev.snapshotter.restore;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@link BootRestoreWrongCountTest} with the right count, but a point the manifest sampled at snapshot time missing
 * after the restore: other points than the backup's, so the collection the restore created is dropped again too.
 */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.on-start", value = "true"),
        @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true") }, missingCollectionRestoredAfterMillis = 0, restoredSampleIds = "[1,2]")
@ExtendWith(SecretsStayHidden.class)
class BootRestoreSampleMissingTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void aRestoreMissingASampledPointKeepsStartupDownAndDropsTheCollectionItCreated() {
        BootRestoreWrongCountTest.startupStaysDownAndTheRestoredCollectionIsDropped(qdrant, "1 of the 3 points whose "
                + "ids were recorded at snapshot time are missing after the restore");
    }
}
