package dev.snapshotter.support;

import java.net.URI;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points the app at the real S3 server of the tests ({@link S3Bucket}), under a prefix of its own per test class,
 * with a 5 MiB part size so that a snapshot of a few MiB is a multipart upload of several parts. Init args: {@code
 * prefix} fixes the prefix (for what another resource put there); {@code proxy=true} puts (and {@code proxy=tls}: answering
 * https with a
 * certificate of a private CA, given to the app as {@code QDRANT_SNAPSHOT_S3_CA_CERT_PATH}) an {@link S3Proxy} between the app
 * and the server; {@code credentials=chain} sets no key and gives the AWS SDK's default chain the
 * credential instead (as {@code aws.accessKeyId} and {@code aws.secretAccessKey}); {@code bucket} and {@code secret-key}
 * replace
 * the real ones (a missing bucket, a wrong credential); any other is passed through as config. Test classes that
 * use it run only when {@code S3_ENDPOINT} is set ({@code @EnabledIfEnvironmentVariable}).
 */
public class S3Resource implements QuarkusTestResourceLifecycleManager {

    private final Map<String, String> extraConfig = new HashMap<>();
    private boolean proxied;
    private boolean tls;
    private boolean chain;
    private PrivateCa ca;
    private String prefix = "t-" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
    private S3Bucket bucket;
    private S3Proxy proxy;

    @Override
    public void init(Map<String, String> initArgs) {
        initArgs.forEach((key, value) -> {
            if (key.equals("proxy")) {
                proxied = value.equals("true") || value.equals("tls");
                tls = value.equals("tls");
            } else if (key.equals("credentials")) {
                chain = value.equals("chain");
            } else if (key.equals("prefix")) {
                prefix = value;
            } else {
                extraConfig.put(key.equals("bucket") || key.equals("secret-key") ? "qdrant.snapshot.s3." + key : key,
                        value);
            }
        });
    }

    @Override
    public Map<String, String> start() {
        bucket = new S3Bucket(prefix);
        URI endpoint = URI.create(S3Bucket.env("S3_ENDPOINT"));
        String url = endpoint.toString();
        if (proxied) {
            ca = tls ? PrivateCa.create() : null;
            proxy = S3Proxy.to(endpoint.getHost(), endpoint.getPort(), ca);
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

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(bucket, new TestInjector.AnnotatedAndMatchesType(InjectS3.class, S3Bucket.class));
        if (proxy != null) {
            testInjector.injectIntoFields(proxy,
                    new TestInjector.AnnotatedAndMatchesType(InjectS3.class, S3Proxy.class));
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
            bucket.close();
        }
        if (ca != null) {
            TempTree.delete(ca.caPem().getParent());
        }
    }
}
