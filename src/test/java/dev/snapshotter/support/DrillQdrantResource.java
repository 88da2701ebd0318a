package dev.snapshotter.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A second Qdrant stand-in, the throwaway one restore drills go to ({@code QDRANT_DRILL_URL}), beside the one
 * {@link QdrantStandInResource} starts; it takes the same API key.
 */
public class DrillQdrantResource implements QuarkusTestResourceLifecycleManager {

    private WireMockServer wireMock;
    private QdrantStandIn standIn;
    private Path directory;

    @Override
    public Map<String, String> start() {
        wireMock = new WireMockServer(QdrantStandIn.loopback());
        wireMock.start();
        try {
            directory = Files.createTempDirectory("drill-qdrant-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        standIn = QdrantStandIn.on(wireMock, new SnapshotDir(directory), null);
        standIn.reset();
        return Map.of("qdrant.drill.url", standIn.url());
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(standIn,
                new TestInjector.AnnotatedAndMatchesType(InjectDrillQdrant.class, QdrantStandIn.class));
    }

    @Override
    public void stop() {
        if (wireMock != null) {
            wireMock.stop();
        }
        if (directory != null) {
            TempTree.delete(directory);
        }
    }
}
