package dev.snapshotter.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

import io.quarkus.test.common.QuarkusTestResourceConfigurableLifecycleManager;
import io.quarkus.test.common.ResourceArg;

/**
 * Starts a Qdrant stand-in (WireMock on a dynamic port, answering per ../shared/qdrant-snapshot-api.md) and a
 * fresh snapshot directory, set up as the test class's {@link WithQdrantStandIn} says, and hands both to the app
 * through its config map, so the same test class runs against the app in this JVM and against the packaged app.
 */
public class QdrantStandInResource implements QuarkusTestResourceConfigurableLifecycleManager<WithQdrantStandIn> {

    /** How much of each response a stand-in's request journal keeps. */
    static final int LOGGED_RESPONSE_BYTES = 64 * 1024;

    private final Map<String, String> extraConfig = new HashMap<>();
    private boolean faultyDownload;
    private boolean faultyControl;
    private boolean tls;
    private boolean trustCa = true;
    private long lateMillis;
    /** Starts Qdrant {@link #lateMillis} after the app is told where it is; null when it starts at once. */
    private Thread starter;
    private java.time.Duration plantedAge;
    private Integer restoreMillis;
    private long restoredPoints;
    private String restoredSampleIds;
    private boolean restoreLeftUnfinished;
    private long restoreLeftWithPoints;
    private long restoreGoesOnWithPoints;
    private String firstFails;
    private String fails;
    private String unfinishedRestoreQdrant;
    private boolean drillable;
    private boolean scratchLeft;
    private boolean restoreStopped;
    private boolean collectionMissing;
    private WithQdrantStandIn.Relaying relayed;
    private Relay relay;
    private String plantedOffsite;
    private boolean plantedLocalCopyRotted;
    private String plantedOf;
    private String alias;
    private WireMockServer wireMock;
    private FaultyDownloadServer faulty;
    private QdrantStandIn standIn;
    private PrivateCa ca;

    @Override
    public void init(WithQdrantStandIn setup) {
        for (ResourceArg config : setup.config()) {
            extraConfig.put(config.name(), config.value());
        }
        faultyDownload = setup.faulty() == WithQdrantStandIn.Faulty.DOWNLOAD;
        faultyControl = setup.faulty() == WithQdrantStandIn.Faulty.CONTROL;
        tls = setup.tls() != WithQdrantStandIn.Tls.NONE;
        trustCa = setup.tls() != WithQdrantStandIn.Tls.UNTRUSTED;
        lateMillis = setup.startsAfterMillis();
        plantedAge = setup.plantedSnapshotAge().isEmpty() ? null : java.time.Duration.parse(setup.plantedSnapshotAge());
        restoredPoints = setup.restoredPoints();
        restoredSampleIds = setup.restoredSampleIds();
        restoreLeftUnfinished = setup.restoreLeftUnfinished();
        restoreLeftWithPoints = setup.restoreLeftWithPoints();
        restoreGoesOnWithPoints = setup.restoreGoesOnWithPoints();
        firstFails = setup.firstFails();
        fails = setup.fails();
        unfinishedRestoreQdrant = setup.unfinishedRestoreQdrant().isEmpty() ? null : setup.unfinishedRestoreQdrant();
        restoreMillis = setup.missingCollectionRestoredAfterMillis() < 0 ? null
                : setup.missingCollectionRestoredAfterMillis();
        plantedOffsite = setup.plantedOffsitePrefix().isEmpty() ? null : setup.plantedOffsitePrefix();
        plantedLocalCopyRotted = setup.plantedLocalCopyRotted();
        plantedOf = setup.plantedSnapshotOf();
        drillable = setup.drillable();
        scratchLeft = setup.scratchLeft();
        restoreStopped = setup.restoreStopped();
        collectionMissing = setup.collectionMissing();
        alias = setup.configuredAlias().isEmpty() ? null : setup.configuredAlias();
        relayed = setup.relayed();
    }

    @Override
    public Map<String, String> start() {
        ca = null; // Quarkus may start this instance again for the next class: nothing of the last start carries over
        relay = null;
        WireMockConfiguration options = QdrantStandIn.loopback()
                .useChunkedTransferEncoding(com.github.tomakehurst.wiremock.core.Options.ChunkedEncodingPolicy.NEVER)
                // the journal would keep a copy of every snapshot served (tens of MiB of the test heap); no test reads them
                .maxLoggedResponseSize(LOGGED_RESPONSE_BYTES);
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
        // before what the test arranges below: the last stub wins, also when the port opens late
        serveDefaultSnapshot();
        if (lateMillis > 0) {
            starter = new Thread(() -> {
                try {
                    Thread.sleep(lateMillis);
                } catch (InterruptedException e) {
                    return;
                }
                wireMock.start();
            }, "qdrant-stand-in-late-start");
            starter.setDaemon(true);
            starter.start();
        }

        String restorableUpload = null;
        if (restoreMillis != null) {
            Path planted = standIn.directory().plantRestorable(QdrantStandIn.POINTS);
            restorableUpload = SnapshotDir.uploadName(planted);
            if (!restoredSampleIds.equals(QdrantStandIn.SAMPLE_IDS)) {
                standIn.directory().sampled(planted);
            }
            standIn.restoresUploadsTo(java.util.regex.Pattern.quote(QdrantStandIn.COLLECTION), restoredPoints,
                    restorableUpload, restoreMillis, restoredSampleIds);
            if (restoreGoesOnWithPoints >= 0) {
                standIn.restoreGoesOn(QdrantStandIn.COLLECTION, restorableUpload, restoreMillis,
                        restoreGoesOnWithPoints);
            }
            standIn.aliasesUpdated();
            if (plantedOffsite != null && plantedLocalCopyRotted) {
                S3Bucket.copyOffsite(planted, plantedOffsite);
                SnapshotDir.rot(planted);
            } else if (plantedOffsite != null) {
                S3Bucket.moveOffsite(planted, plantedOffsite);
            }
        }
        if (restoreLeftUnfinished) {
            if (restoreMillis != null) {
                standIn.restoreLeftUnfinished(QdrantStandIn.COLLECTION, restorableUpload, restoreLeftWithPoints);
                if (plantedOffsite != null) {
                    S3Bucket.moveBootRestoreRecordOffsite(directory, plantedOffsite);
                }
            } else {
                // kairos exists, no backup of it is there
                standIn.bootRestoreRecorded(QdrantStandIn.COLLECTION, unfinishedRestoreQdrant);
            }
        }
        if (!fails.isEmpty()) {
            standIn.fails(fails.substring(0, fails.indexOf(' ')), fails.substring(fails.indexOf(' ') + 1));
        }
        if (!firstFails.isEmpty()) {
            standIn.failsFirst(firstFails.substring(0, firstFails.indexOf(' ')),
                    firstFails.substring(firstFails.indexOf(' ') + 1));
        }
        if (drillable) {
            Path planted = standIn.directory().plantRestorable(QdrantStandIn.POINTS);
            standIn.restoresUploadsTo("drill-kairos-\\d{8}-\\d{6}", QdrantStandIn.POINTS,
                    SnapshotDir.uploadName(planted), 0, QdrantStandIn.SAMPLE_IDS);
        }
        if (scratchLeft) {
            standIn.scratchLeft();
            if (plantedOffsite != null) {
                S3Bucket.moveScratchRecordsOffsite(directory, plantedOffsite);
            }
        }
        if (restoreStopped) {
            standIn.restoreStopped();
        }
        if (collectionMissing) {
            standIn.collectionMissing(QdrantStandIn.COLLECTION);
        }
        if (plantedAge != null) {
            // after the reset of the default snapshot, which empties the directory
            Path planted = standIn.directory().plantSnapshotAged(plantedAge, plantedOf);
            if (alias != null) {
                standIn.directory().takenThrough(planted, alias);
            }
            if (plantedOffsite != null && restoreMillis == null) {
                S3Bucket.moveOffsite(planted, plantedOffsite);
            }
        }

        Map<String, String> config = new HashMap<>();
        if (alias != null) {
            standIn.alias(alias, QdrantStandIn.COLLECTION);
            config.put("qdrant.collection", alias);
        }
        config.put("qdrant.url", tls ? "https://localhost:" + wireMock.httpsPort()
                : lateMillis > 0 ? "http://localhost:" + wireMock.getOptions().portNumber() : wireMock.baseUrl());
        if (relayed != WithQdrantStandIn.Relaying.NONE) {
            PrivateCa relayCa = relayed == WithQdrantStandIn.Relaying.TLS ? (ca = PrivateCa.create()) : null;
            relay = Relay.to("127.0.0.1", wireMock.port(), relayCa);
            config.put("qdrant.url", relay.url());
        }
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
        if (relay != null) {
            testInjector.injectIntoFields(relay, new TestInjector.AnnotatedAndMatchesType(InjectQdrant.class, Relay.class));
        }
    }

    @Override
    public void stop() {
        if (starter != null) {
            // a class that ends before its Qdrant comes up: the start never comes, into a directory deleted below
            starter.interrupt();
            try {
                starter.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (wireMock != null) {
            wireMock.stop();
        }
        if (faulty != null) {
            faulty.close();
        }
        if (relay != null) {
            relay.close();
        }
        if (standIn != null) {
            TempTree.delete(standIn.directory().directory());
        }
        if (ca != null) {
            TempTree.delete(ca.caPem().getParent());
            // the integration-test extension leaves this class's config in the test JVM's system properties, where
            // the next class's config (its TLS source) would find a CA file that no longer exists
            System.clearProperty("qdrant.ca-cert-path");
        }
    }
}
