package dev.snapshotter.support;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For a test that starts the packaged app itself (to restart it): before each test, a reset Qdrant stand-in on a
 * WireMock server of its own (or, for a {@link StandInCluster} field, a cluster of three and a drill Qdrant) and a fresh
 * snapshot
 * directory, set into the test's {@link InjectQdrant} fields ({@link QdrantStandIn} or {@link StandInCluster},
 * {@link SnapshotDir}); after it, the servers are stopped and the directory deleted.
 */
public final class StandInPerTest implements BeforeEachCallback, AfterEachCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(StandInPerTest.class);

    @Override
    public void beforeEach(ExtensionContext context) throws IOException, IllegalAccessException {
        Path directory = Files.createTempDirectory("snapshotter-it-");
        SnapshotDir dir = new SnapshotDir(directory);
        Object test = context.getRequiredTestInstance();
        boolean wantsCluster = false;
        for (Field field : test.getClass().getDeclaredFields()) {
            wantsCluster |= field.isAnnotationPresent(InjectQdrant.class) && field.getType() == StandInCluster.class;
        }
        Object standIn;
        if (wantsCluster) {
            StandInCluster cluster = StandInCluster.started(dir, true);
            context.getStore(NAMESPACE).put(StandInCluster.class, cluster);
            standIn = cluster;
        } else {
            QdrantStandIn single = QdrantStandIn.started(dir);
            context.getStore(NAMESPACE).put(QdrantStandIn.class, single);
            standIn = single;
        }
        for (Field field : test.getClass().getDeclaredFields()) {
            if (field.isAnnotationPresent(InjectQdrant.class)) {
                field.setAccessible(true);
                field.set(test, field.getType() == SnapshotDir.class ? dir : standIn);
            }
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        QdrantStandIn standIn = context.getStore(NAMESPACE).remove(QdrantStandIn.class, QdrantStandIn.class);
        if (standIn != null) {
            standIn.server().stop();
            TempTree.delete(standIn.directory().directory());
        }
        StandInCluster cluster = context.getStore(NAMESPACE).remove(StandInCluster.class, StandInCluster.class);
        if (cluster != null) {
            cluster.stop();
            TempTree.delete(cluster.directory().directory());
        }
    }
}
