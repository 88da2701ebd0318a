package dev.snapshotter.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceConfigurableLifecycleManager;
import io.quarkus.test.common.ResourceArg;

/**
 * Starts a {@link StandInCluster} of three nodes and a fresh snapshot directory, and gives the app every node in
 * {@code QDRANT_CLUSTER_NODES} ({@code QDRANT_URL} is the first node), as the test class's {@link WithStandInCluster}
 * says.
 */
public class QdrantClusterResource implements QuarkusTestResourceConfigurableLifecycleManager<WithStandInCluster> {

    private final Map<String, String> extraConfig = new HashMap<>();
    private StandInCluster cluster;
    private boolean drill;

    @Override
    public void init(WithStandInCluster setup) {
        for (ResourceArg config : setup.config()) {
            extraConfig.put(config.name(), config.value());
        }
        drill = setup.drillNode();
    }

    @Override
    public Map<String, String> start() {
        Path directory;
        try {
            directory = Files.createTempDirectory("snapshots-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        cluster = StandInCluster.started(new SnapshotDir(directory), drill);
        Map<String, String> config = cluster.config();
        config.putAll(extraConfig);
        return config;
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(cluster,
                new TestInjector.AnnotatedAndMatchesType(InjectQdrant.class, StandInCluster.class));
        testInjector.injectIntoFields(cluster.directory(),
                new TestInjector.AnnotatedAndMatchesType(InjectQdrant.class, SnapshotDir.class));
    }

    @Override
    public void stop() {
        if (cluster != null) {
            cluster.stop();
            TempTree.delete(cluster.directory().directory());
        }
    }
}
