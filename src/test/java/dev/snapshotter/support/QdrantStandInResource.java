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
 * download=faulty} and {@code control=faulty}, which route the snapshot download, or the control calls, to a
 * {@link FaultyDownloadServer}; {@code tls=private-ca}, which serves https with a certificate of a private CA and
 * gives the app that CA ({@code tls=untrusted}: does not); and {@code up-after-ms=N}, which keeps the port closed
 * for N ms after the app is told where Qdrant is, as a Qdrant still starting would; {@code
 * plant-snapshot-aged=PT10M} puts a verified snapshot of that age in the directory before the app starts; {@code
 * collection-missing-restore-ms=N} plants a verified snapshot of {@code kairos} taken an hour ago, with its manifest,
 * and makes {@code kairos} missing on Qdrant until that snapshot is uploaded (the upload answering after N ms); {@code
 * drillable=true} plants the same snapshot and lets any drill scratch collection ({@code drill-kairos-<time>}) take
 * it; with {@code planted-offsite=<S3 prefix>} that snapshot is moved to the bucket under that prefix (with its
 * sidecars and recorded SHA-256) before the app starts, as a pod without a volume finds it. Every app requires the
 * bearer token {@link ServiceApi#API_TOKEN} on its API.
 */
public class QdrantStandInResource implements QuarkusTestResourceLifecycleManager {

    private final Map<String, String> extraConfig = new HashMap<>();
    private boolean faultyDownload;
    private boolean faultyControl;
    private boolean tls;
    private boolean trustCa = true;
    private long lateMillis;
    private java.time.Duration plantedAge;
    private Integer restoreMillis;
    private boolean drillable;
    private String plantedOffsite;
    private WireMockServer wireMock;
    private FaultyDownloadServer faulty;
    private QdrantStandIn standIn;
    private PrivateCa ca;

    @Override
    public void init(Map<String, String> initArgs) {
        initArgs.forEach((key, value) -> {
            if (key.equals("download")) {
                faultyDownload = value.equals("faulty");
            } else if (key.equals("control")) {
                faultyControl = value.equals("faulty");
            } else if (key.equals("tls")) {
                tls = value.equals("private-ca") || value.equals("untrusted");
                trustCa = value.equals("private-ca");
            } else if (key.equals("up-after-ms")) {
                lateMillis = Long.parseLong(value);
            } else if (key.equals("planted-offsite")) {
                plantedOffsite = value;
            } else if (key.equals("drillable")) {
                drillable = Boolean.parseBoolean(value);
            } else if (key.equals("collection-missing-restore-ms")) {
                restoreMillis = Integer.valueOf(value);
            } else if (key.equals("plant-snapshot-aged")) {
                plantedAge = java.time.Duration.parse(value);
            } else {
                extraConfig.put(key, value);
            }
        });
    }

    @Override
    public Map<String, String> start() {
        WireMockConfiguration options = WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1")
                .useChunkedTransferEncoding(com.github.tomakehurst.wiremock.core.Options.ChunkedEncodingPolicy.NEVER);
        if (tls) {
            ca = PrivateCa.create();
            options.dynamicHttpsPort().keystorePath(ca.serverKeystore().toString()).keystoreType("PKCS12")
                    .keystorePassword(PrivateCa.PASSWORD).keyManagerPassword(PrivateCa.PASSWORD);
        }
        if (lateMillis > 0) {
            options.port(freePort());
        }
        wireMock = new WireMockServer(options);
        if (lateMillis == 0) {
            wireMock.start();
        }
        Path directory;
        try {
            directory = Files.createTempDirectory("snapshots-");
            faulty = faultyDownload || faultyControl ? FaultyDownloadServer.start() : null;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        standIn = new QdrantStandIn(wireMock, new SnapshotDir(directory), faulty);
        if (lateMillis == 0) {
            serveDefaultSnapshot();
        } else {
            Thread starter = new Thread(() -> {
                try {
                    Thread.sleep(lateMillis);
                } catch (InterruptedException e) {
                    return;
                }
                wireMock.start();
                serveDefaultSnapshot();
            }, "qdrant-stand-in-late-start");
            starter.setDaemon(true);
            starter.start();
        }

        if (restoreMillis != null) {
            Path planted = standIn.directory().plantRestorable(QdrantStandIn.POINTS);
            standIn.restoresUploads(QdrantStandIn.COLLECTION, QdrantStandIn.POINTS, SnapshotDir.uploadName(planted),
                    restoreMillis);
            standIn.aliasesUpdated();
            if (plantedOffsite != null) {
                S3Bucket.moveOffsite(planted, plantedOffsite);
            }
        }
        if (drillable) {
            Path planted = standIn.directory().plantRestorable(QdrantStandIn.POINTS);
            standIn.restoresUploadsTo("drill-kairos-\\d{8}-\\d{6}", QdrantStandIn.POINTS,
                    SnapshotDir.uploadName(planted), 0, QdrantStandIn.SAMPLE_IDS);
        }
        if (plantedAge != null) {
            standIn.directory().plantSnapshotAged(plantedAge); // after the reset of the default snapshot, which empties the directory
        }

        Map<String, String> config = new HashMap<>();
        config.put("qdrant.url", tls ? "https://localhost:" + wireMock.httpsPort()
                : lateMillis > 0 ? "http://localhost:" + wireMock.getOptions().portNumber() : wireMock.baseUrl());
        config.put("qdrant.snapshot.api-token", ServiceApi.API_TOKEN);
        if (ca != null && trustCa) {
            config.put("qdrant.ca-cert-path", ca.caPem().toString());
        }
        config.put("qdrant.api-key", QdrantStandIn.API_KEY);
        config.put("qdrant.snapshot.dir", directory.toString());
        if (faultyControl) {
            config.put("quarkus.rest-client.qdrant.url", faulty.url());
        }
        if (faultyDownload) {
            config.put("qdrant.snapshot.download-url", faulty.url());
            config.put("qdrant.snapshot.stall-timeout", "1500ms");
        }
        config.putAll(extraConfig);
        return config;
    }

    private void serveDefaultSnapshot() {
        standIn.reset();
        standIn.snapshotServed(QdrantStandIn.COLLECTION, TestData.snapshot(64 * 1024 + 7));
    }

    private static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(standIn,
                new TestInjector.AnnotatedAndMatchesType(InjectQdrant.class, QdrantStandIn.class));
        testInjector.injectIntoFields(standIn.directory(),
                new TestInjector.AnnotatedAndMatchesType(InjectQdrant.class, SnapshotDir.class));
    }

    @Override
    public void stop() {
        if (wireMock != null) {
            wireMock.stop();
        }
        if (faulty != null) {
            faulty.close();
        }
        if (standIn != null) {
            TempTree.delete(standIn.directory().directory());
        }
        if (ca != null) {
            TempTree.delete(ca.caPem().getParent());
        }
    }
}
