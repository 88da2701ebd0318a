package dev.snapshotter.offsite;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import dev.snapshotter.config.BoundedDuration;
import dev.snapshotter.config.QdrantConfig;
import dev.snapshotter.config.S3Settings;
import dev.snapshotter.net.LingeringSocketFactory;
import dev.snapshotter.net.RateLimit;
import dev.snapshotter.net.TransferWatch;
import dev.snapshotter.store.SnapshotFailure;
import dev.snapshotter.store.SnapshotFileWriter;

import io.quarkus.runtime.annotations.RegisterForReflection;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.LifecycleRuleAndOperator;
import software.amazon.awssdk.services.s3.model.LifecycleRuleFilter;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The only code that speaks S3: one client built from {@code QDRANT_SNAPSHOT_S3_*}, and the few calls the off-site
 * copies need, each failing as a {@link SnapshotFailure} whose sentence names the bucket, the key and what S3
 * answered (status and code), never a credential. Every write names SHA-256 as its checksum algorithm together with
 * the value (a value alone is ignored by some servers) and is conditional ({@code If-None-Match: *}): an object of the
 * same name is never overwritten. S3 silent for {@code QDRANT_SNAPSHOT_STALL_TIMEOUT} fails the call as a timeout:
 * a read waits that long for a byte, and a part whose bytes S3 stops taking (a blocked write has no timeout of its
 * own) has its connection cut after that long.
 */
@ApplicationScoped
// the default chain loads these by name when their settings are present (web identity as with IRSA, an STS profile)
@RegisterForReflection(classNames = {
        "software.amazon.awssdk.services.sts.internal.StsWebIdentityCredentialsProviderFactory",
        "software.amazon.awssdk.services.sts.internal.StsProfileCredentialsProviderFactory" })
public class S3Store {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** User metadata on each snapshot object: the SHA-256 (hex) of the whole file, as its checksum file has it. */
    static final String SHA256_METADATA = "sha256";

    private final Optional<QdrantConfig.S3> config;
    /** {@code QDRANT_SNAPSHOT_STALL_TIMEOUT}: the longest S3 may go without taking or sending a byte. */
    private final Duration stallTimeout;
    /** {@code QDRANT_SNAPSHOT_S3_UPLOAD_RATE}, shared by every part in flight; null without a limit. */
    private final RateLimit uploadRate;
    private volatile S3Client client;

    S3Store(QdrantConfig config) {
        this.config = config.snapshot().s3().bucket().isPresent() ? Optional.of(config.snapshot().s3())
                : Optional.empty();
        this.stallTimeout = config.snapshot().stallTimeout();
        this.uploadRate = this.config.flatMap(QdrantConfig.S3::uploadRate).map(RateLimit::new).orElse(null);
    }

    /** Whether off-site copies are on ({@code QDRANT_SNAPSHOT_S3_BUCKET} set). */
    public boolean enabled() {
        return config.isPresent();
    }

    public String bucket() {
        return config.orElseThrow().bucket().orElseThrow();
    }

    /**
     * Why an object is not stored as {@code QDRANT_SNAPSHOT_S3_SSE} asks, in a sentence; null when it is, or when
     * nothing is asked. A store that ignores the setting answers without it: the object is not what the operator asked
     * for, so it never counts as a copy.
     *
     * @param encryption the server-side encryption S3 says it applied (its answer to the write, or a {@code HEAD})
     */
    private String unencrypted(String key, String encryption) {
        Optional<String> asked = config.orElseThrow().sse();
        if (asked.isEmpty() || asked.get().equals(encryption)) {
            return null;
        }
        String shown = encryption == null ? "without server-side encryption"
                : "with the server-side encryption " + encryption;
        return "S3 stored " + uri(key) + " " + shown + ", not with the " + asked.get()
                + " that QDRANT_SNAPSHOT_S3_SSE asks for: the store does not apply it";
    }

    /**
     * Why an object just written is not stored as asked: without the server-side encryption of
     * {@code QDRANT_SNAPSHOT_S3_SSE}, or without the Object Lock of {@code QDRANT_SNAPSHOT_S3_LOCK_MODE} until
     * {@code lockedUntil} (a {@code HEAD} shows a lock only to a credential allowed {@code s3:GetObjectRetention});
     * null when it is.
     */
    public String notAsAsked(StoredObject stored, Instant lockedUntil) {
        String unencrypted = unencrypted(stored.key(), stored.serverSideEncryption());
        if (unencrypted != null || lockedUntil == null) {
            return unencrypted;
        }
        String mode = config.orElseThrow().lockMode().get();
        // S3 keeps the date to the millisecond or the second; a second's difference is the same lock
        if (!mode.equals(stored.lockMode()) || stored.lockedUntil() == null
                || stored.lockedUntil().isBefore(lockedUntil.minusSeconds(1))) {
            return "S3 shows " + uri(stored.key()) + (stored.lockMode() == null ? " without an Object Lock"
                    : " locked " + stored.lockMode() + " until " + stored.lockedUntil()) + ", not locked " + mode
                    + " until " + lockedUntil + " as QDRANT_SNAPSHOT_S3_LOCK_MODE and _LOCK_FOR ask (or the credential "
                    + "may not read its retention: s3:GetObjectRetention)";
        }
        return null;
    }

    /**
     * What a write asks of S3 beyond its object: {@code QDRANT_SNAPSHOT_S3_SSE} and its KMS key, and the Object Lock
     * of {@code QDRANT_SNAPSHOT_S3_LOCK_MODE} until {@code lockedUntil} (null: none).
     */
    private PutObjectRequest.Builder asked(PutObjectRequest.Builder write, Instant lockedUntil) {
        QdrantConfig.S3 s3 = config.orElseThrow();
        s3.sse().ifPresent(write::serverSideEncryption);
        s3.sseKmsKeyId().ifPresent(write::ssekmsKeyId);
        return lockedUntil == null ? write
                : write.objectLockMode(s3.lockMode().orElseThrow()).objectLockRetainUntilDate(lockedUntil);
    }

    /** {@link #asked(PutObjectRequest.Builder, Instant)} on the start of a multipart upload. */
    private CreateMultipartUploadRequest.Builder asked(CreateMultipartUploadRequest.Builder upload, Instant lockedUntil) {
        QdrantConfig.S3 s3 = config.orElseThrow();
        s3.sse().ifPresent(upload::serverSideEncryption);
        s3.sseKmsKeyId().ifPresent(upload::ssekmsKeyId);
        return lockedUntil == null ? upload
                : upload.objectLockMode(s3.lockMode().orElseThrow()).objectLockRetainUntilDate(lockedUntil);
    }

    /** Whether the objects of a backup are written locked ({@code QDRANT_SNAPSHOT_S3_LOCK_MODE}). */
    public boolean locking() {
        return config.orElseThrow().lockMode().isPresent();
    }

    /** Where our backups sit in the bucket. */
    OffsiteKeys keys() {
        return new OffsiteKeys(root());
    }

    /** {@code s3://bucket/key}, as reports and logs name an object. */
    public String uri(String key) {
        return "s3://" + bucket() + "/" + key;
    }

    /** An object as a listing or a {@code HEAD} shows it. */
    public record StoredObject(String key, long size, String checksumSha256, String sha256Metadata,
            Instant lastModified, String serverSideEncryption, String lockMode, Instant lockedUntil) {
    }

    /**
     * A multipart upload begun; {@link #abort} it on every failure.
     *
     * @param lockedUntil the end of the Object Lock asked for the object, or null
     */
    public record Upload(String key, String uploadId, Instant lockedUntil) {
    }

    /** A part stored: what completing the upload needs. */
    public record Part(int number, String eTag, String checksumSha256) {
    }

    /**
     * Proves the bucket takes our writes: writes a small marker under the prefix (with the encryption asked, which
     * S3's answer must show; never locked) and deletes it; with {@code QDRANT_SNAPSHOT_S3_LOCK_MODE}, the bucket must
     * have Object Lock on.
     *
     * @return null when it does, else why not, in a sentence
     */
    public String probe() {
        String folder = root();
        try {
            call("list", folder, () -> client().listObjectsV2(b -> b.bucket(bucket()).prefix(folder).maxKeys(1)));
        } catch (SnapshotFailure e) {
            return e.getMessage();
        }
        String key = root() + ".snapshotter-probe-" + UUID.randomUUID();
        try {
            PutObjectResponse put = call("write the probe marker", key, () -> client().putObject(
                    b -> asked(b.bucket(bucket()).key(key).ifNoneMatch("*").checksumAlgorithm(ChecksumAlgorithm.SHA256),
                            null),
                    RequestBody.fromString("probe")));
            call("delete the probe marker", key, () -> client().deleteObject(b -> b.bucket(bucket()).key(key)));
            String unencrypted = unencrypted(key, put.serverSideEncryptionAsString());
            if (unencrypted != null || config.orElseThrow().lockMode().isEmpty()) {
                return unencrypted;
            }
            String lock = call("read the Object Lock configuration of", "", () -> client()
                    .getObjectLockConfiguration(b -> b.bucket(bucket())).objectLockConfiguration()
                    .objectLockEnabledAsString());
            return "Enabled".equals(lock) ? null
                    : "The bucket " + bucket() + " has no Object Lock (" + lock + "), "
                            + "which QDRANT_SNAPSHOT_S3_LOCK_MODE needs: turn it on for the bucket (S3 requires versioning)";
        } catch (SnapshotFailure e) {
            return e.getMessage();
        }
    }

    /**
     * Why objects deleted under our prefix stay stored, in a sentence; null when they do not. In a bucket that keeps
     * versions (Object Lock turns versioning on), a delete only hides the object: it stays stored, and billed, as a
     * noncurrent version until a lifecycle rule expires it. A rule counts when it is enabled, expires noncurrent
     * versions, and covers every object under the prefix (a prefix filter that contains ours; no tag or size filter).
     */
    public String deletedVersionsKept() throws SnapshotFailure {
        String versioning = call("read the versioning of", "",
                () -> client().getBucketVersioning(b -> b.bucket(bucket())).statusAsString());
        if (versioning == null || versioning.isEmpty()) {
            return null; // never turned on: a delete deletes
        }
        List<LifecycleRule> rules = call("read the lifecycle rules of", "", () -> {
            try {
                return client().getBucketLifecycleConfiguration(b -> b.bucket(bucket())).rules();
            } catch (S3Exception e) {
                if (e.awsErrorDetails() != null
                        && "NoSuchLifecycleConfiguration".equals(e.awsErrorDetails().errorCode())) {
                    return List.of();
                }
                throw e;
            }
        });
        String root = root();
        boolean expired = rules.stream().anyMatch(rule -> rule.status() == ExpirationStatus.ENABLED
                && rule.noncurrentVersionExpiration() != null
                && rule.noncurrentVersionExpiration().noncurrentDays() != null && covers(rule, root));
        return expired ? null
                : "the bucket " + bucket() + " keeps versions (versioning " + versioning + ") and no enabled lifecycle "
                        + "rule expires noncurrent versions under " + uri(root) + ": each backup pruned here stays "
                        + "stored, and billed, as a noncurrent version; add a rule with NoncurrentVersionExpiration "
                        + "for the prefix";
    }

    /** Whether a lifecycle rule takes in every object under {@code root}. */
    @SuppressWarnings("deprecation") // a rule of the old form keeps its prefix outside a filter, and still applies
    private static boolean covers(LifecycleRule rule, String root) {
        LifecycleRuleFilter filter = rule.filter();
        if (filter == null) {
            return rule.prefix() == null || root.startsWith(rule.prefix());
        }
        if (filter.tag() != null || filter.objectSizeGreaterThan() != null || filter.objectSizeLessThan() != null) {
            return false;
        }
        LifecycleRuleAndOperator and = filter.and();
        if (and != null && (!and.tags().isEmpty() || and.objectSizeGreaterThan() != null
                || and.objectSizeLessThan() != null)) {
            return false;
        }
        String prefix = and != null ? and.prefix() : filter.prefix();
        return prefix == null || root.startsWith(prefix);
    }

    /** The SHA-256 of {@code content} as S3 takes and returns it ({@code x-amz-checksum-sha256}: base64). */
    public static String checksum(byte[] content) {
        return Base64.getEncoder().encodeToString(SnapshotFileWriter.sha256().digest(content));
    }

    /**
     * Writes a small file whole, with its SHA-256 for the server to check, unless an object of that name exists.
     *
     * @return false when an object of that name was already there (nothing was written)
     */
    public boolean putIfAbsent(String key, byte[] content, boolean partOfBackup) throws SnapshotFailure {
        String sha256Base64 = checksum(content);
        Instant lockedUntil = partOfBackup ? lockedUntil() : null;
        try {
            call("upload", key, () -> client().putObject(b -> asked(b.bucket(bucket()).key(key).ifNoneMatch("*")
                    .checksumAlgorithm(ChecksumAlgorithm.SHA256).checksumSHA256(sha256Base64)
                    .contentType(contentType(key)), lockedUntil), RequestBody.fromBytes(content)));
            return true;
        } catch (AlreadyThere e) {
            return false;
        }
    }

    public Upload begin(String key, String sha256Hex) throws SnapshotFailure {
        Instant lockedUntil = lockedUntil();
        String id = call("start the upload of", key, () -> client().createMultipartUpload(b -> asked(b.bucket(bucket())
                .key(key).checksumAlgorithm(ChecksumAlgorithm.SHA256).contentType(contentType(key))
                .metadata(Map.of(SHA256_METADATA, sha256Hex)), lockedUntil)).uploadId());
        return new Upload(key, id, lockedUntil);
    }

    /** The end of the Object Lock of an object of a backup written now, or null when none is asked. */
    private Instant lockedUntil() {
        // whole seconds, rounded up: as S3 shows the date, and never shorter than asked
        return config.orElseThrow().lockFor()
                .map(lockFor -> Instant.now().plus(lockFor).plusSeconds(1).truncatedTo(ChronoUnit.SECONDS)).orElse(null);
    }

    /**
     * Sends one part; watched while it goes: when S3 has taken no byte of it for the stall timeout, its connection is
     * cut (the SDK may then try again), and a part that fails so fails as a timeout.
     */
    public Part uploadPart(Upload upload, int number, byte[] buffer, int length, String sha256Base64)
            throws SnapshotFailure {
        S3Client client = client();
        PartSend send = new PartSend(length, TransferWatch.start(stallTimeout), uploadRate);
        SENDING.set(send);
        try {
            String eTag = call("upload part " + number + " of", upload.key(), () -> client.uploadPart(
                    b -> b.bucket(bucket()).key(upload.key()).uploadId(upload.uploadId()).partNumber(number)
                            .contentLength((long) length).checksumAlgorithm(ChecksumAlgorithm.SHA256)
                            .checksumSHA256(sha256Base64),
                    RequestBody.fromContentProvider(() -> send.counted(new ByteArrayInputStream(buffer, 0, length)),
                            length, "application/octet-stream"))
                    .eTag());
            return new Part(number, eTag, sha256Base64);
        } catch (SnapshotFailure e) {
            if (send.watch().stalled()) {
                throw new SnapshotFailure(SnapshotFailure.Kind.OFFSITE_TIMEOUT, "Could not upload part " + number
                        + " of " + uri(upload.key()) + ": S3 took no byte for " + BoundedDuration.describe(stallTimeout)
                        + " and did not answer (QDRANT_SNAPSHOT_STALL_TIMEOUT)", null);
            }
            throw e;
        } finally {
            send.watch().close();
            SENDING.remove();
        }
    }

    /**
     * Completes the upload, unless an object of that name exists (then the upload is left to {@link #abort}).
     *
     * @return false when an object of that name was already there
     */
    public boolean complete(Upload upload, List<Part> parts) throws SnapshotFailure {
        List<CompletedPart> completed = parts.stream().map(p -> CompletedPart.builder().partNumber(p.number())
                .eTag(p.eTag()).checksumSHA256(p.checksumSha256()).build()).toList();
        try {
            call("complete the upload of", upload.key(), () -> client().completeMultipartUpload(
                    CompleteMultipartUploadRequest.builder().bucket(bucket()).key(upload.key())
                            .uploadId(upload.uploadId()).ifNoneMatch("*")
                            .multipartUpload(m -> m.parts(completed)).build()));
            return true;
        } catch (AlreadyThere e) {
            return false;
        }
    }

    /** Aborts a multipart upload, so that none of its parts stays stored (and billed); null when done, else why not. */
    public String abort(Upload upload) {
        try {
            call("abort the upload of", upload.key(), () -> client().abortMultipartUpload(AbortMultipartUploadRequest
                    .builder().bucket(bucket()).key(upload.key()).uploadId(upload.uploadId()).build()));
            return null;
        } catch (SnapshotFailure e) {
            return e.getMessage();
        }
    }

    /** The object, with its stored checksum, or empty when there is none of that name. */
    public Optional<StoredObject> head(String key) throws SnapshotFailure {
        try {
            HeadObjectResponse head = call("look up", key, () -> client().headObject(b -> b.bucket(bucket()).key(key)
                    .checksumMode(ChecksumMode.ENABLED)));
            return Optional.of(new StoredObject(key, head.contentLength(), head.checksumSHA256(),
                    head.metadata().get(SHA256_METADATA), head.lastModified(), head.serverSideEncryptionAsString(),
                    head.objectLockModeAsString(), head.objectLockRetainUntilDate()));
        } catch (Missing e) {
            return Optional.empty();
        }
    }

    /** Every object under {@code folder}, in key order. */
    public List<StoredObject> list(String folder) throws SnapshotFailure {
        return list(folder, null);
    }

    /**
     * Every object under {@code folder}, in key order; each page's request, its retries included, given at most
     * {@code within} (null: the client's timeouts alone).
     */
    public List<StoredObject> list(String folder, Duration within) throws SnapshotFailure {
        List<StoredObject> objects = new ArrayList<>();
        ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(bucket()).prefix(folder);
        if (within != null) {
            request.overrideConfiguration(o -> o.apiCallTimeout(within));
        }
        call("list", folder, () -> {
            client().listObjectsV2Paginator(request.build()).contents().forEach(o -> objects.add(from(o)));
            return null;
        });
        return objects;
    }

    /** The multipart uploads begun under {@code folder} and neither completed nor aborted. */
    public List<Upload> unfinished(String folder) throws SnapshotFailure {
        List<Upload> uploads = new ArrayList<>();
        call("list the unfinished uploads under", folder, () -> {
            client().listMultipartUploadsPaginator(b -> b.bucket(bucket()).prefix(folder)).uploads()
                    .forEach(u -> uploads.add(new Upload(u.key(), u.uploadId(), null)));
            return null;
        });
        return uploads;
    }

    /** Reads the object, or the bytes {@code range} names ({@code bytes=0-99}, or null for all); the caller closes it. */
    public InputStream open(String key, String range) throws SnapshotFailure {
        ResponseInputStream<GetObjectResponse> body = call("download", key,
                () -> client().getObject(b -> b.bucket(bucket()).key(key).range(range)));
        return body;
    }

    /** Reads the whole object, or empty when there is none of that name (one request, where a look-up first is two). */
    public Optional<InputStream> openIfPresent(String key) throws SnapshotFailure {
        try {
            return Optional.of(open(key, null));
        } catch (Missing e) {
            return Optional.empty();
        }
    }

    /** The prefix under which this service writes ({@code <prefix>/}, or empty). */
    public String root() {
        return config.orElseThrow().prefix().map(p -> p + "/").orElse("");
    }

    public void delete(String key) throws SnapshotFailure {
        call("delete", key, () -> client().deleteObject(b -> b.bucket(bucket()).key(key)));
    }

    private static StoredObject from(S3Object object) {
        return new StoredObject(object.key(), object.size(), null, null, object.lastModified(), null, null, null);
    }

    private static String contentType(String key) {
        return key.endsWith(SnapshotFileWriter.MANIFEST_SUFFIX) ? "application/json"
                : key.endsWith(SnapshotFileWriter.CHECKSUM_SUFFIX) ? "text/plain"
                        : "application/octet-stream";
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws SnapshotFailure;
    }

    /** An object of that name exists: a conditional write was refused (412). */
    private static final class AlreadyThere extends SnapshotFailure {
        AlreadyThere(String message) {
            super(Kind.OFFSITE, message);
        }
    }

    /** No object of that name (404). */
    private static final class Missing extends SnapshotFailure {
        Missing(String message) {
            super(Kind.OFFSITE, message);
        }
    }

    private <T> T call(String what, String key, Call<T> call) throws SnapshotFailure {
        String where = uri(key);
        try {
            return call.run();
        } catch (NoSuchKeyException e) {
            throw new Missing("S3 has no " + where);
        } catch (S3Exception e) {
            int status = e.statusCode();
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            if (status == 412) {
                throw new AlreadyThere("An object named " + where + " already exists");
            }
            String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
            throw new SnapshotFailure(SnapshotFailure.Kind.OFFSITE, "Could not " + what + " " + where + ": S3 answered "
                    + status + (code == null ? "" : " " + code) + (message == null || message.isBlank() ? ""
                            : " (" + hideAccessKey(message) + ")")
                    + hint(code), null);
        } catch (ApiCallTimeoutException | ApiCallAttemptTimeoutException e) {
            throw new SnapshotFailure(SnapshotFailure.Kind.OFFSITE_TIMEOUT, "Could not " + what + " " + where
                    + ": S3 did not answer in time", null);
        } catch (SdkException | UncheckedIOException e) {
            boolean timeout = false;
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                timeout |= cause instanceof SocketTimeoutException;
            }
            throw new SnapshotFailure(timeout ? SnapshotFailure.Kind.OFFSITE_TIMEOUT : SnapshotFailure.Kind.OFFSITE,
                    "Could not " + what + " " + where + ": " + (timeout ? "S3 did not answer in time (no byte for "
                            + BoundedDuration.describe(stallTimeout) + "; QDRANT_SNAPSHOT_STALL_TIMEOUT)"
                            : "S3 could not be reached: " + hideAccessKey(rootMessage(e))),
                    null);
        }
    }

    private String hint(String code) {
        if (code == null) {
            return "";
        }
        QdrantConfig.S3 s3 = config.orElseThrow();
        boolean kms = s3.sse().equals(Optional.of(S3Settings.Sse.SSE_KMS));
        if (s3.lockMode().isPresent() && code.equals("InvalidRequest")) {
            return "; a bucket without Object Lock refuses the locked objects QDRANT_SNAPSHOT_S3_LOCK_MODE asks for"
                    + (s3.sse().isPresent() ? ", or the store cannot encrypt as QDRANT_SNAPSHOT_S3_SSE asks" : "");
        }
        if (s3.sse().isPresent()
                && (code.equals("InvalidArgument") || code.equals("InvalidRequest") || code.startsWith("KMS."))) {
            return "; the store cannot encrypt as QDRANT_SNAPSHOT_S3_SSE asks" + (kms ? " (with the KMS key "
                    + s3.sseKmsKeyId().orElse("the store chooses") + ": check QDRANT_SNAPSHOT_S3_SSE_KMS_KEY_ID)" : "");
        }
        if (kms && code.equals("AccessDenied")) {
            return "; the credential may not write under the prefix (QDRANT_SNAPSHOT_S3_PREFIX), or may not use the "
                    + "KMS key (QDRANT_SNAPSHOT_S3_SSE_KMS_KEY_ID)";
        }
        return switch (code) {
            case "NoSuchBucket" -> "; create the bucket, or correct QDRANT_SNAPSHOT_S3_BUCKET";
            case "InvalidAccessKeyId" -> "; the credential is refused: check QDRANT_SNAPSHOT_S3_ACCESS_KEY (or the "
                    + "provider chain's)";
            case "SignatureDoesNotMatch" -> "; the request's signature does not match: a wrong "
                    + "QDRANT_SNAPSHOT_S3_SECRET_KEY (or the provider chain's), or a request changed on the way";
            case "BadDigest", "XAmzContentSHA256Mismatch" -> "; the bytes S3 received do not match their SHA-256: "
                    + "they changed on the way";
            case "AccessDenied" -> "; the credential may not write under the prefix (QDRANT_SNAPSHOT_S3_PREFIX)";
            case "ObjectLockConfigurationNotFoundError" -> "; the bucket has no Object Lock, which "
                    + "QDRANT_SNAPSHOT_S3_LOCK_MODE needs: turn it on for the bucket (S3 requires versioning)";
            default -> "";
        };
    }

    private String hideAccessKey(String message) {
        String shown = message;
        Optional<String> key = config.flatMap(QdrantConfig.S3::accessKey);
        if (key.isPresent() && !key.get().isEmpty()) {
            shown = shown.replace(key.get(), "<access key>");
        }
        Optional<String> secret = config.flatMap(QdrantConfig.S3::secretKey);
        if (secret.isPresent() && !secret.get().isEmpty()) {
            shown = shown.replace(secret.get(), "<secret>");
        }
        return shown;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    S3Client client() throws SnapshotFailure {
        S3Client built = client;
        if (built == null) {
            synchronized (this) {
                if (client == null) {
                    client = build(config.orElseThrow(), stallTimeout);
                }
                built = client;
            }
        }
        return built;
    }

    private static S3Client build(QdrantConfig.S3 s3, Duration stallTimeout) throws SnapshotFailure {
        SSLSocketFactory tls = new LingeringSocketFactory(s3.caCertPath().isPresent()
                ? socketFactory(trust(s3.caCertPath().get()))
                : (SSLSocketFactory) SSLSocketFactory.getDefault());
        SdkHttpClient http = UrlConnectionHttpClient.create(uri -> connect(uri, tls, stallTimeout));
        AwsCredentialsProvider credentials = s3.accessKey().isPresent()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey().get(),
                        s3.secretKey().orElseThrow()))
                : DefaultCredentialsProvider.builder().build();
        var builder = S3Client.builder().httpClient(http).credentialsProvider(credentials)
                .region(region(s3)).forcePathStyle(s3.pathStyle()).putAuthScheme(ChecksumHeaderSigner.scheme())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(ClientOverrideConfiguration.builder().addExecutionInterceptor(NO_EXPECT_CONTINUE)
                        .build());
        s3.endpoint().map(URI::toString).map(URI::create).ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /**
     * The part the calling thread is sending: the SDK sends a request on the thread that makes the call, and opens its
     * connection there through {@link #connect}.
     */
    private static final ThreadLocal<PartSend> SENDING = new ThreadLocal<>();

    /**
     * A part on its way: its length, the watch over its connection (a new one for each attempt), and the upload rate
     * limit (null: none).
     */
    private record PartSend(long length, TransferWatch watch, RateLimit rate) {

        /** The body as the connection takes it: each byte taken is progress, and is paced by the rate limit. */
        InputStream counted(InputStream body) {
            return new FilterInputStream(rate == null ? body : rate.paced(body, watch::progress)) {
                @Override
                public int read() throws IOException {
                    watch.progress();
                    return super.read();
                }

                @Override
                public int read(byte[] bytes, int offset, int length) throws IOException {
                    watch.progress();
                    return super.read(bytes, offset, length);
                }
            };
        }
    }

    /**
     * A connection as the SDK's own would be (its timeouts, the read timeout being the stall timeout; TLS trusting
     * {@code QDRANT_SNAPSHOT_S3_CA_CERT_PATH} when set, the JVM's trust otherwise, over sockets whose close ends a
     * blocked write), which streams a part at its known length: the SDK's client sets no length on the connection, and
     * then the JDK keeps a whole copy of the body in memory to count it (a part, 16 MiB by default, for every part in
     * flight). A part's connection is handed to the part's watch.
     */
    private static HttpURLConnection connect(URI uri, SSLSocketFactory tls, Duration stallTimeout) {
        HttpURLConnection connection;
        try {
            connection = (HttpURLConnection) uri.toURL().openConnection();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
        connection.setReadTimeout((int) stallTimeout.toMillis());
        if (connection instanceof HttpsURLConnection https) {
            https.setSSLSocketFactory(tls);
        }
        PartSend send = SENDING.get();
        String query = uri.getRawQuery();
        if (send != null && query != null && query.contains("partNumber=")) {
            connection.setFixedLengthStreamingMode(send.length());
            send.watch().attempt(connection::disconnect);
        }
        return connection;
    }

    private static SSLSocketFactory socketFactory(TrustManagerFactory trust) throws SnapshotFailure {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new SnapshotFailure(SnapshotFailure.Kind.OFFSITE, "QDRANT_SNAPSHOT_S3_CA_CERT_PATH could not be "
                    + "made a TLS trust: " + e.getMessage(), null);
        }
    }

    /**
     * Without {@code Expect: 100-continue}: with it, the JDK's URL connection drops the body of an early refusal, and
     * the error would lose S3's code (NoSuchBucket, SignatureDoesNotMatch) that the operator needs.
     */
    private static final ExecutionInterceptor NO_EXPECT_CONTINUE = new ExecutionInterceptor() {
        @Override
        public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
            return context.httpRequest().toBuilder().removeHeader("Expect").build();
        }
    };

    private static Region region(QdrantConfig.S3 s3) {
        if (s3.region().isPresent()) {
            return Region.of(s3.region().get());
        }
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkException e) {
            return Region.US_EAST_1;
        }
    }

    private static TrustManagerFactory trust(Path pem) throws SnapshotFailure {
        try (InputStream in = Files.newInputStream(pem)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int index = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + index++, certificate);
            }
            if (index == 0) {
                throw new GeneralSecurityException("no certificate in it");
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory;
        } catch (IOException | GeneralSecurityException e) {
            throw new SnapshotFailure(SnapshotFailure.Kind.OFFSITE, "QDRANT_SNAPSHOT_S3_CA_CERT_PATH " + pem
                    + " cannot be read as PEM certificates: " + e.getMessage(), null);
        }
    }

    @PreDestroy
    void close() {
        S3Client built = client;
        if (built != null) {
            built.close();
        }
    }
}
