package dev.snapshotter.support;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The test's own view of the real S3 server the app copies to (Ceph RGW from {@code ../shared/s3/start-s3.sh}, its
 * coordinates in {@code S3_ENDPOINT}, {@code S3_ACCESS_KEY}, {@code S3_SECRET_KEY}, {@code S3_BUCKET}): what is
 * stored, read back with a client of its own, and objects planted for the faults.
 */
public final class S3Bucket implements AutoCloseable {

    /** The backup that the integrity record {@link WithS3#integrityCheckAge} plants names as failing. */
    public static final String ROTTEN_IN_RECORD = "2026-11-01T00-00-00-000Z-kairos.snap";

    /** How long the tests wait for the S3 server to come up: a fresh machine installs it first. */
    private static final Duration SERVER_WAIT = Duration.ofMinutes(10);
    private static boolean serverAnswered;

    private final S3Client client;
    private final String bucket;
    private final String prefix;

    S3Bucket(String prefix) {
        this(prefix, false);
    }

    /** With {@code objectLock}: a bucket of its own, created with S3 Object Lock (and so versioning) on. */
    S3Bucket(String prefix, boolean objectLock) {
        this.bucket = objectLock ? env("S3_BUCKET") + "-lock-" + prefix : env("S3_BUCKET");
        this.prefix = prefix;
        this.client = S3Client.builder().httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(URI.create(env("S3_ENDPOINT"))).forcePathStyle(true)
                .region(Region.of(Optional.ofNullable(System.getenv("S3_REGION")).orElse("us-east-1")))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(env("S3_ACCESS_KEY"),
                        env("S3_SECRET_KEY"))))
                .build();
        awaitServer(client);
        if (objectLock) {
            client.createBucket(b -> b.bucket(bucket).objectLockEnabledForBucket(true));
        }
    }

    /** The tests' bucket seen under {@code prefix}, for a test that starts the packaged app itself; close it after. */
    /** A prefix no other test writes under: {@code t-} and 8 random hex digits. */
    public static String freshPrefix() {
        return "t-" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
    }

    public static S3Bucket under(String prefix) {
        return new S3Bucket(prefix);
    }

    /** Whether the tests have an S3 server ({@code S3_ENDPOINT} set, as {@code .ci/run} does). */
    public static boolean available() {
        return System.getenv("S3_ENDPOINT") != null;
    }

    /**
     * Waits, once per JVM, until the server holds the tests' bucket: {@code .ci/run} starts it beside the build (its
     * install takes minutes on a fresh machine), and it answers on {@code S3_ENDPOINT} only once it is ready.
     */
    private static synchronized void awaitServer(S3Client client) {
        if (serverAnswered) {
            return;
        }
        Instant deadline = Instant.now().plus(SERVER_WAIT);
        for (boolean said = false;; said = true) {
            try {
                client.headBucket(b -> b.bucket(env("S3_BUCKET")));
                serverAnswered = true;
                return;
            } catch (SdkClientException | S3Exception e) {
                if (e instanceof S3Exception refused && refused.statusCode() < 500 && refused.statusCode() != 404) {
                    throw refused; // it answers, and refuses: waiting would not help
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("The S3 server at " + env("S3_ENDPOINT") + " did not answer for "
                            + SERVER_WAIT.toMinutes() + " min with the bucket " + env("S3_BUCKET") + ": " + e, e);
                }
                if (!said) {
                    System.err.println("Waiting for the S3 server at " + env("S3_ENDPOINT") + " (bucket "
                            + env("S3_BUCKET") + "): " + e.getMessage());
                }
            }
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for the S3 server", e);
            }
        }
    }

    static String env(String name) {
        String value = System.getenv(name);
        if (value == null) {
            throw new IllegalStateException(name + " is not set: start the S3 server with ../shared/s3/start-s3.sh "
                    + "and export its lines (as .ci/run does)");
        }
        return value;
    }

    public String bucket() {
        return bucket;
    }

    /** The prefix this test class's app writes under ({@code QDRANT_SNAPSHOT_S3_PREFIX}). */
    public String prefix() {
        return prefix;
    }

    /**
     * What a packaged app needs to copy its backups into this bucket, under {@link #prefix()}, as environment
     * variables.
     */
    public Map<String, String> appEnvironment() {
        return Map.of("QDRANT_SNAPSHOT_S3_BUCKET", bucket, "QDRANT_SNAPSHOT_S3_PREFIX", prefix,
                "QDRANT_SNAPSHOT_S3_ENDPOINT", env("S3_ENDPOINT"), "QDRANT_SNAPSHOT_S3_PATH_STYLE", "true",
                "QDRANT_SNAPSHOT_S3_REGION", "us-east-1", "QDRANT_SNAPSHOT_S3_ACCESS_KEY", env("S3_ACCESS_KEY"),
                "QDRANT_SNAPSHOT_S3_SECRET_KEY", env("S3_SECRET_KEY"));
    }

    /** The keys under this class's prefix, relative to it, sorted. */
    public List<String> keys() {
        return keys(prefix + "/").stream().map(k -> k.substring(prefix.length() + 1)).toList();
    }

    /** Every key under {@code under}, whole. */
    public List<String> keys(String under) {
        return client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(under)).contents().stream()
                .map(S3Object::key).sorted().toList();
    }

    public byte[] get(String relativeKey) {
        return client.getObjectAsBytes(b -> b.bucket(bucket).key(prefix + "/" + relativeKey)).asByteArray();
    }

    public Optional<HeadObjectResponse> head(String relativeKey) {
        try {
            return Optional.of(client.headObject(b -> b.bucket(bucket).key(prefix + "/" + relativeKey)
                    .checksumMode(ChecksumMode.ENABLED)));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }

    /** Puts an object at a key under this class's prefix. */
    public void put(String relativeKey, byte[] content) {
        putWhole(prefix + "/" + relativeKey, content, Map.of());
    }

    /**
     * One of our snapshots in the bucket, as our copies leave it: the file, its checksum file and {@code manifest}
     * under {@code <collection>/}.
     */
    public void plantOurs(String collection, String snapshot, String manifest) {
        put(collection + "/" + snapshot, "ours".getBytes());
        put(collection + "/" + snapshot + ".sha256", "x".getBytes());
        put(collection + "/" + snapshot + ".json", manifest.getBytes());
    }

    /**
     * A verified backup of ours in the bucket, as a copy leaves it: {@code body} under {@code <collection>/<snapshot>}
     * with the SHA-256 {@code recorded} in its metadata and in its checksum file beside it (record another body's to
     * plant one that rotted in the bucket).
     */
    public void plantBackup(String collection, String snapshot, byte[] body, String recorded) {
        putWhole(prefix + "/" + collection + "/" + snapshot, body, Map.of("sha256", recorded));
        put(collection + "/" + snapshot + ".sha256", (recorded + "  " + snapshot + "\n").getBytes());
    }

    /**
     * The key, below the prefix, of the record of a restore drill of {@code kairos} that started {@code at} with that
     * result, spelled here as the service names it.
     */
    public static String drillRecord(java.time.Instant at, String result) {
        return QdrantStandIn.COLLECTION + "/drills/" + SnapshotDir.NAME_TIME.format(at) + "-" + result + ".json";
    }

    /**
     * The key, below the prefix, of the record of an integrity check by the service configured with {@code kairos} that
     * started {@code at}, spelled here as the service names it.
     */
    public static String integrityRecord(java.time.Instant at) {
        return QdrantStandIn.COLLECTION + "/integrity/" + SnapshotDir.NAME_TIME.format(at) + ".json";
    }

    /** Puts an object at a key of the whole bucket. */
    public void putWhole(String key, byte[] content, Map<String, String> metadata) {
        client.putObject(b -> b.bucket(bucket).key(key).metadata(metadata), RequestBody.fromBytes(content));
    }

    /** The multipart uploads under this class's prefix that were neither completed nor aborted. */
    public List<String> unfinishedUploads() {
        return client.listMultipartUploadsPaginator(b -> b.bucket(bucket).prefix(prefix + "/")).uploads().stream()
                .map(u -> u.key()).toList();
    }

    /**
     * A bucket policy that refuses every write under this class's prefix, to anyone (the bucket's owner too): S3 then
     * answers {@code 403 AccessDenied}, as to a credential that may not write there. {@link #allowWrites} ends it.
     */
    public void denyWrites() {
        client.putBucketPolicy(b -> b.bucket(bucket).policy("{\"Version\":\"2012-10-17\",\"Statement\":[{"
                + "\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:PutObject\","
                + "\"Resource\":\"arn:aws:s3:::" + bucket + "/" + prefix + "/*\"}]}"));
    }

    public void allowWrites() {
        client.deleteBucketPolicy(b -> b.bucket(bucket));
    }

    /**
     * A bucket policy that refuses every delete under this class's prefix, to anyone (the bucket's owner too): S3 then
     * answers {@code 403 AccessDenied}, as to a credential that may write but not delete. {@link #allowWrites} ends it.
     */
    public void denyDeletes() {
        client.putBucketPolicy(b -> b.bucket(bucket).policy("{\"Version\":\"2012-10-17\",\"Statement\":[{"
                + "\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:DeleteObject\","
                + "\"Resource\":\"arn:aws:s3:::" + bucket + "/" + prefix + "/*\"}]}"));
    }

    /** The key, below the prefix, of the record of a boot's restore of {@code kairos} under way since 2026-12-01T03:00Z. */
    public static final String BOOT_RESTORE_RECORD = QdrantStandIn.COLLECTION + "/boot-restores/"
            + "2026-12-01T03-00-00-000Z.json";

    /**
     * Moves the directory's records of drills' scratch collections ({@link QdrantStandIn#scratchLeft}) to the bucket under
     * {@code prefix}, one object each, as a pod without a volume, stopped during its drills, leaves them.
     */
    public static void moveScratchRecordsOffsite(java.nio.file.Path directory, String prefix) {
        S3Bucket bucket = new S3Bucket(prefix);
        try {
            java.nio.file.Path history = directory.resolve(".drills.json");
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            for (com.fasterxml.jackson.databind.JsonNode scratch : json.readTree(history.toFile()).get("scratch")) {
                java.time.Instant since = java.time.Instant.parse(scratch.get("since").asText());
                bucket.put(QdrantStandIn.COLLECTION + "/drills/" + SnapshotDir.NAME_TIME.format(since) + "-scratch.json",
                        json.writeValueAsBytes(scratch));
            }
            java.nio.file.Files.delete(history);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            bucket.client.close();
        }
    }

    /**
     * Moves the directory's record of a boot's restore under way ({@link QdrantStandIn#bootRestoreRecorded}) to the
     * bucket under {@code prefix}, as a pod without a volume, replaced during its boot's restore, leaves it.
     */
    public static void moveBootRestoreRecordOffsite(java.nio.file.Path directory, String prefix) {
        S3Bucket bucket = new S3Bucket(prefix);
        try {
            java.nio.file.Path record = directory.resolve(".boot-restore.json");
            bucket.put(BOOT_RESTORE_RECORD, java.nio.file.Files.readAllBytes(record));
            java.nio.file.Files.delete(record);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            bucket.client.close();
        }
    }

    /** Removes everything under {@code under} (and aborts its unfinished uploads). */
    public void empty(String under) {
        client.listMultipartUploadsPaginator(b -> b.bucket(bucket).prefix(under)).uploads()
                .forEach(u -> client.abortMultipartUpload(b -> b.bucket(bucket).key(u.key()).uploadId(u.uploadId())));
        keys(under).forEach(key -> client.deleteObject(b -> b.bucket(bucket).key(key)));
    }

    /**
     * Moves a local snapshot and its sidecars to {@code <prefix>/<collection>/} in the bucket, as the service's copy
     * leaves them (the SHA-256 in the object's metadata), and removes the local files.
     */
    public static void moveOffsite(java.nio.file.Path snapshot, String prefix) {
        offsite(snapshot, prefix, false);
    }

    /** Copies a local snapshot and its sidecars to the bucket as {@link #moveOffsite} does, keeping the local files. */
    public static void copyOffsite(java.nio.file.Path snapshot, String prefix) {
        offsite(snapshot, prefix, true);
    }

    private static void offsite(java.nio.file.Path snapshot, String prefix, boolean keepLocal) {
        S3Bucket bucket = new S3Bucket(prefix);
        try {
            String name = snapshot.getFileName().toString();
            String collection = name.substring(name.indexOf("Z-") + 2, name.length() - ".snap".length());
            String sha256 = java.nio.file.Files.readString(snapshot.resolveSibling(name + ".sha256")).split(" ")[0];
            bucket.putWhole(prefix + "/" + collection + "/" + name, java.nio.file.Files.readAllBytes(snapshot),
                    Map.of("sha256", sha256));
            for (String suffix : new String[] { ".sha256", ".json" }) {
                java.nio.file.Path sidecar = snapshot.resolveSibling(name + suffix);
                if (!java.nio.file.Files.exists(sidecar)) {
                    continue;
                }
                bucket.put(collection + "/" + name + suffix, java.nio.file.Files.readAllBytes(sidecar));
                if (!keepLocal) {
                    java.nio.file.Files.delete(sidecar);
                }
            }
            if (!keepLocal) {
                java.nio.file.Files.delete(snapshot);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            bucket.client.close();
        }
    }

    /**
     * One lifecycle rule on the bucket, expiring noncurrent versions under {@code prefix} a day after they become so;
     * null removes the bucket's rules.
     */
    public void expireNoncurrentVersions(String prefix) {
        if (prefix == null) {
            client.deleteBucketLifecycle(b -> b.bucket(bucket));
            return;
        }
        client.putBucketLifecycleConfiguration(b -> b.bucket(bucket).lifecycleConfiguration(c -> c.rules(
                LifecycleRule.builder().id("noncurrent")
                        .status(ExpirationStatus.ENABLED)
                        .filter(f -> f.prefix(prefix)).noncurrentVersionExpiration(n -> n.noncurrentDays(1)).build())));
    }

    /** The stored versions of the object at a key under this class's prefix (delete markers not counted). */
    public List<String> versions(String relativeKey) {
        String key = prefix + "/" + relativeKey;
        return client.listObjectVersionsPaginator(b -> b.bucket(bucket).prefix(key)).versions().stream()
                .filter(v -> v.key().equals(key)).map(v -> v.versionId()).toList();
    }

    /** Deletes one version of the object at a key under this class's prefix, as anyone with the credential could. */
    public void deleteVersion(String relativeKey, String versionId) {
        client.deleteObject(b -> b.bucket(bucket).key(prefix + "/" + relativeKey).versionId(versionId));
    }

    /** Removes what is under the prefix, and closes the client. */
    @Override
    public void close() {
        empty(prefix + "/");
        client.close();
    }
}
