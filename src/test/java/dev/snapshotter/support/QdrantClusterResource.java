package dev.snapshotter.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.Options;

import io.quarkus.test.common.QuarkusTestResourceConfigurableLifecycleManager;
import io.quarkus.test.common.ResourceArg;

/**
 * Starts a {@link StandInCluster} of three nodes and a fresh snapshot directory, and gives the app every node in
 * {@code QDRANT_CLUSTER_NODES} ({@code QDRANT_URL} is the first node), as the test class's {@link WithStandInCluster}
 * says.
 */
public class QdrantClusterResource implements QuarkusTestResourceConfigurableLifecycleManager<WithStandInCluster> {

    private final Map<String, String> extraConfig = new HashMap<>();
    private final List<WireMockServer> servers = new ArrayList<>();
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
        SnapshotDir dir = new SnapshotDir(directory);
        List<QdrantStandIn> nodes = new ArrayList<>();
        for (int i = 0; i < StandInCluster.PEERS.size() + (drill ? 1 : 0); i++) {
            WireMockServer server = new WireMockServer(
                    QdrantStandIn.loopback().useChunkedTransferEncoding(Options.ChunkedEncodingPolicy.NEVER)
                            .maxLoggedResponseSize(QdrantStandInResource.LOGGED_RESPONSE_BYTES));
            server.start();
            servers.add(server);
            nodes.add(new QdrantStandIn(server, dir, null));
        }
        QdrantStandIn drillNode = drill ? nodes.remove(nodes.size() - 1) : null;
        cluster = new StandInCluster(nodes, drillNode, dir);
        cluster.reset();
        Map<String, String> config = new HashMap<>();
        config.put("qdrant.url", nodes.get(0).url());
        config.put("qdrant.cluster.nodes", String.join(",", nodes.stream().map(QdrantStandIn::url).toList()));
        config.put("qdrant.snapshot.api-token", ServiceApi.API_TOKEN);
        config.put("qdrant.api-key", QdrantStandIn.API_KEY);
        config.put("qdrant.snapshot.dir", directory.toString());
        if (drillNode != null) {
            config.put("qdrant.drill.url", drillNode.url());
        }
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
        servers.forEach(WireMockServer::stop);
        if (cluster != null) {
            TempTree.delete(cluster.directory().directory());
        }
    }
}
