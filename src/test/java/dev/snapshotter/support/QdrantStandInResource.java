package dev.snapshotter.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts a Qdrant stand-in (WireMock on a dynamic port, answering per ../shared/qdrant-snapshot-api.md) and a
 * fresh snapshot directory, and hands both to the app through its config map, so the same test class runs against
 * the app in this JVM and against the packaged app. Init args are passed through as extra config, except {@code
 * download=faulty}, which routes the snapshot download to a {@link FaultyDownloadServer}.
 */
public class QdrantStandInResource implements QuarkusTestResourceLifecycleManager {

    private final Map<String, String> extraConfig = new HashMap<>();
    private boolean faultyDownload;
    private boolean tls;
    private WireMockServer wireMock;
    private FaultyDownloadServer faulty;
    private QdrantStandIn standIn;

    @Override
    public void init(Map<String, String> initArgs) {
        initArgs.forEach((key, value) -> {
            if (key.equals("download")) {
                faultyDownload = value.equals("faulty");
            } else if (key.equals("tls")) {
                tls = value.equals("private-ca");
            } else {
                extraConfig.put(key, value);
            }
        });
    }

    @Override
    public Map<String, String> start() {
        WireMockConfiguration options = WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1")
                .useChunkedTransferEncoding(com.github.tomakehurst.wiremock.core.Options.ChunkedEncodingPolicy.NEVER);
        PrivateCa ca = null;
        if (tls) {
            ca = PrivateCa.create();
            options.dynamicHttpsPort().keystorePath(ca.serverKeystore().toString()).keystoreType("PKCS12")
                    .keystorePassword(PrivateCa.PASSWORD).keyManagerPassword(PrivateCa.PASSWORD);
        }
        wireMock = new WireMockServer(options);
        wireMock.start();
        Path directory;
        try {
            directory = Files.createTempDirectory("snapshots-");
            faulty = faultyDownload ? FaultyDownloadServer.start() : null;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        standIn = new QdrantStandIn(wireMock, directory, faulty);
        standIn.reset();
        standIn.snapshotServed(QdrantStandIn.COLLECTION, QdrantStandIn.randomBytes(64 * 1024 + 7));

        Map<String, String> config = new HashMap<>();
        config.put("qdrant.url", tls ? "https://localhost:" + wireMock.httpsPort() : wireMock.baseUrl());
        if (ca != null) {
            config.put("qdrant.ca-cert-path", ca.caPem().toString());
        }
        config.put("qdrant.api-key", QdrantStandIn.API_KEY);
        config.put("qdrant.snapshot.dir", directory.toString());
        if (faulty != null) {
            config.put("quarkus.rest-client.qdrant-download.url", faulty.url());
            config.put("quarkus.rest-client.qdrant-download.read-timeout", "1500");
        }
        config.putAll(extraConfig);
        return config;
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(standIn,
                new TestInjector.AnnotatedAndMatchesType(InjectQdrant.class, QdrantStandIn.class));
    }

    @Override
    public void stop() {
        if (wireMock != null) {
            wireMock.stop();
        }
        if (faulty != null) {
            faulty.close();
        }
    }
}
