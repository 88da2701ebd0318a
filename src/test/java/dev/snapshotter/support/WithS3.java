package dev.snapshotter.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;

/**
 * The app of this test class copies off-site to the real S3 server of the tests ({@link S3Bucket}, injected with
 * {@link InjectS3}), under a prefix of its own, with a 5 MiB part size so that a snapshot of a few MiB is a multipart
 * upload of several parts. Each element sets up one thing; the compiler checks their names and types. Test classes
 * that use it run only when {@code S3_ENDPOINT} is set ({@code @EnabledIfEnvironmentVariable}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Inherited
@WithTestResource(S3Resource.class)
public @interface WithS3 {

    /** More configuration of the app. */
    ResourceArg[] config() default {};

    /** The prefix, when fixed (for what another resource put there); a fresh one per class otherwise. */
    String prefix() default "";

    /** A {@link Relay} between the app and the server (injected with {@link InjectS3}). */
    Proxy proxy() default Proxy.NONE;

    enum Proxy {
        NONE,
        PLAIN,
        /** answering https with a certificate of a private CA, given as {@code QDRANT_SNAPSHOT_S3_CA_CERT_PATH} */
        TLS
    }

    /**
     * S3's answers come through a {@link Relay} that drops their {@code x-amz-server-side-encryption*} headers: a store
     * that ignores {@code QDRANT_SNAPSHOT_S3_SSE} (stores the object, says nothing of encryption).
     */
    boolean answersWithoutEncryption() default false;

    /** Through a {@link Relay} that refuses every connection for this long from the start: a bucket not reachable yet. */
    long unreachableForMillis() default 0;

    /**
     * The app copies to a bucket of this class's own, created with S3 Object Lock on (versioned; its locked objects
     * outlive the class: the S3 server's data goes with {@code .ci/run}'s end).
     */
    boolean objectLockBucket() default false;

    /** No key is configured: the AWS SDK's default chain finds the credential ({@code aws.accessKeyId}, ...). */
    boolean credentialsFromChain() default false;

    /** Another bucket than the real one ({@code QDRANT_SNAPSHOT_S3_BUCKET}: a missing bucket). */
    String bucket() default "";

    /**
     * An object named like a snapshot of {@code kairos} taken this long ago (an ISO-8601 duration) is in the
     * collection's folder before the app starts, put there by another tool: no SHA-256 of ours, no checksum file.
     */
    String foreignSnapshotAge() default "";

    /**
     * A record of a restore drill that passed this long ago (an ISO-8601 duration) is in the bucket before the app
     * starts, as an earlier pod's drill left it.
     */
    String passedDrillAge() default "";

    /**
     * A record of an integrity check that started this long ago (an ISO-8601 duration) and found one backup only
     * off-site failing ({@link S3Bucket#ROTTEN_IN_RECORD}) is in the bucket before the app starts, as an earlier pod's
     * check left it.
     */
    String integrityCheckAge() default "";

    /** With {@link #integrityCheckAge()}: the record's content is no JSON (a truncated write, another tool's). */
    boolean integrityRecordUnreadable() default false;

    /**
     * A bucket policy refuses every delete under the prefix ({@link S3Bucket#denyDeletes}) from before the app starts
     * until the class ends: a credential that may write but not delete.
     */
    boolean deletesDenied() default false;

    /** Another secret than the real one ({@code QDRANT_SNAPSHOT_S3_SECRET_KEY}: a wrong credential). */
    String secretKey() default "";
}
