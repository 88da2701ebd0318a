package dev.snapshotter.support;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceConfigurableLifecycleManager;
import io.quarkus.test.common.ResourceArg;

/**
 * Points the app at the real S3 server of the tests, set up as the test class's {@link WithS3} says.
 */
public class S3Resource implements QuarkusTestResourceConfigurableLifecycleManager<WithS3> {

    private final Map<String, String> extraConfig = new HashMap<>();
    private boolean proxied;
    private boolean tls;
    private boolean chain;
    private PrivateCa ca;
    private String prefix = S3Bucket.freshPrefix();
    private S3Bucket bucket;
    private Relay proxy;
    private java.time.Duration foreignAge;
    private java.time.Duration drillAge;
    private java.time.Duration integrityAge;
    private boolean integrityUnreadable;
    private boolean withoutEncryption;
    private boolean objectLock;
    private boolean deletesDenied;
    private long unreachableMillis;

    @Override
    public void init(WithS3 setup) {
        for (ResourceArg config : setup.config()) {
            extraConfig.put(config.name(), config.value());
        }
        withoutEncryption = setup.answersWithoutEncryption();
        objectLock = setup.objectLockBucket();
        deletesDenied = setup.deletesDenied();
        unreachableMillis = setup.unreachableForMillis();
        proxied = setup.proxy() != WithS3.Proxy.NONE || withoutEncryption || unreachableMillis > 0;
        tls = setup.proxy() == WithS3.Proxy.TLS;
        chain = setup.credentialsFromChain();
        foreignAge = setup.foreignSnapshotAge().isEmpty() ? null : java.time.Duration.parse(setup.foreignSnapshotAge());
        drillAge = setup.passedDrillAge().isEmpty() ? null : java.time.Duration.parse(setup.passedDrillAge());
        integrityUnreadable = setup.integrityRecordUnreadable();
        integrityAge = setup.integrityCheckAge().isEmpty() ? null
                : java.time.Duration.parse(setup.integrityCheckAge());
        if (!setup.prefix().isEmpty()) {
            prefix = setup.prefix();
        }
        if (!setup.bucket().isEmpty()) {
            extraConfig.put("qdrant.snapshot.s3.bucket", setup.bucket());
        }
        if (!setup.secretKey().isEmpty()) {
            extraConfig.put("qdrant.snapshot.s3.secret-key", setup.secretKey());
        }
    }

    @Override
    public Map<String, String> start() {
        bucket = new S3Bucket(prefix, objectLock);
        if (foreignAge != null) {
            bucket.put(foreignSnapshot(foreignAge), TestData.snapshot(1024));
        }
        if (drillAge != null) {
            java.time.Instant at = java.time.Instant.now().minus(drillAge);
            bucket.put(S3Bucket.drillRecord(at, "passed"), ("{\"drilledAt\":\"" + at + "\",\"result\":\"passed\"}")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        if (integrityAge != null) {
            java.time.Instant at = java.time.Instant.now().minus(integrityAge);
            bucket.put(S3Bucket.integrityRecord(at), (integrityUnreadable ? "{\"startedAt\":\"" + at + "\",\"fini"
                    : "{\"startedAt\":\"" + at + "\",\"finishedAt\":\"" + at.plusSeconds(30) + "\",\"checked\":0,"
                            + "\"bytes\":1024,\"failed\":[],\"offsiteChecked\":3,\"offsiteFailed\":[\""
                            + S3Bucket.ROTTEN_IN_RECORD + "\"]}")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        if (deletesDenied) {
            bucket.denyDeletes();
        }
        URI endpoint = URI.create(S3Bucket.env("S3_ENDPOINT"));
        String url = endpoint.toString();
        if (proxied) {
            ca = tls ? PrivateCa.create() : null;
            proxy = Relay.to(endpoint.getHost(), endpoint.getPort(), ca);
            if (withoutEncryption) {
                proxy.dropResponseHeaders("x-amz-server-side-encryption");
            }
            if (unreachableMillis > 0) {
                proxy.goDownAfter(0, unreachableMillis);
            }
            url = proxy.url();
        }
        Map<String, String> config = new HashMap<>();
        config.put("qdrant.snapshot.s3.bucket", bucket.bucket());
        config.put("qdrant.snapshot.s3.prefix", bucket.prefix());
        config.put("qdrant.snapshot.s3.endpoint", url);
        config.put("qdrant.snapshot.s3.region", "us-east-1");
        config.put("qdrant.snapshot.s3.path-style", "true");
        if (chain) {
            // the AWS SDK's default chain: its system-property source, which a test in this JVM can set
            System.setProperty("aws.accessKeyId", S3Bucket.env("S3_ACCESS_KEY"));
            System.setProperty("aws.secretAccessKey", S3Bucket.env("S3_SECRET_KEY"));
        } else {
            config.put("qdrant.snapshot.s3.access-key", S3Bucket.env("S3_ACCESS_KEY"));
            config.put("qdrant.snapshot.s3.secret-key", S3Bucket.env("S3_SECRET_KEY"));
        }
        config.put("qdrant.snapshot.s3.part-size", "5MiB");
        config.put("qdrant.snapshot.s3.upload-concurrency", "2");
        if (ca != null) {
            config.put("qdrant.snapshot.s3.ca-cert-path", ca.caPem().toString());
        }
        config.putAll(extraConfig);
        return config;
    }

    /** The key, below the prefix, of the object {@link WithS3#foreignSnapshotAge} plants. */
    private static String foreignSnapshot(java.time.Duration age) {
        return QdrantStandIn.COLLECTION + "/" + SnapshotDir.fileName(java.time.Instant.now().minus(age),
                QdrantStandIn.COLLECTION);
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(bucket, new TestInjector.AnnotatedAndMatchesType(InjectS3.class, S3Bucket.class));
        if (proxy != null) {
            testInjector.injectIntoFields(proxy,
                    new TestInjector.AnnotatedAndMatchesType(InjectS3.class, Relay.class));
        }
    }

    @Override
    public void stop() {
        if (chain) {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
        if (proxy != null) {
            proxy.close();
        }
        if (bucket != null) {
            if (deletesDenied) {
                bucket.allowWrites();
            }
            bucket.close();
        }
        if (ca != null) {
            TempTree.delete(ca.caPem().getParent());
        }
    }
}
