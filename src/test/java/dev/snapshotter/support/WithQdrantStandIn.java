package dev.snapshotter.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;

/**
 * The app of this test class talks to a Qdrant stand-in ({@link QdrantStandIn}) and writes to a fresh snapshot
 * directory ({@link SnapshotDir}), both injected with {@link InjectQdrant}; the app requires the bearer token
 * {@link ServiceApi#API_TOKEN} on its API. Each element sets up one thing before the app starts; the compiler checks
 * their names and types. The same class runs against the app in this JVM and against the packaged app. A
 * {@link LogCapture} field is filled with what the app logs from before it boots ({@link BootLogResource}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Inherited
@WithTestResource(QdrantStandInResource.class)
@WithTestResource(BootLogResource.class)
public @interface WithQdrantStandIn {

    /** More configuration of the app ({@code qdrant.snapshot.on-start} = {@code true}, ...). */
    ResourceArg[] config() default {};

    /** Qdrant answers these calls through a {@link FaultyDownloadServer} instead. */
    Faulty faulty() default Faulty.NOTHING;

    enum Faulty {
        NOTHING,
        /** the snapshot download ({@code QDRANT_SNAPSHOT_DOWNLOAD_URL}, with a stall timeout of 1.5 s) */
        DOWNLOAD,
        /** the control calls (the REST client's URL) */
        CONTROL
    }

    /** The app reaches Qdrant (at {@code QDRANT_URL}) through a {@link Relay}, injected with {@link InjectQdrant}. */
    Relaying relayed() default Relaying.NONE;

    enum Relaying {
        NONE,
        PLAIN,
        /** the relay answers https with a certificate of a private CA, given as {@code QDRANT_CA_CERT_PATH} */
        TLS
    }

    /** Qdrant speaks https with a certificate of a private CA. */
    Tls tls() default Tls.NONE;

    enum Tls {
        NONE,
        /** the app is given the CA ({@code QDRANT_CA_CERT_PATH}) */
        PRIVATE_CA,
        /** the app is not given the CA */
        UNTRUSTED
    }

    /** Qdrant's port stays closed for this long after the app is told where it is, as a Qdrant still starting. */
    long startsAfterMillis() default 0;

    /** A verified snapshot of this age (an ISO-8601 duration; negative: dated in the future) is in the directory. */
    String plantedSnapshotAge() default "";

    /** The collection the {@link #plantedSnapshotAge} snapshot is of (by its name). */
    String plantedSnapshotOf() default QdrantStandIn.COLLECTION;

    /**
     * At least 0: a verified snapshot of {@code kairos} taken an hour ago, with its manifest, is in the directory, and
     * {@code kairos} is missing on Qdrant until that snapshot is uploaded (the upload answering after this long).
     */
    int missingCollectionRestoredAfterMillis() default -1;

    /**
     * With {@link #missingCollectionRestoredAfterMillis}: the exact count the restored collection answers; another than
     * the snapshot's manifest records ({@link QdrantStandIn#POINTS}) is a restore that lost points.
     */
    long restoredPoints() default QdrantStandIn.POINTS;

    /**
     * With {@link #missingCollectionRestoredAfterMillis}: the ids (a JSON list) the restored collection holds of those
     * the snapshot's manifest sampled ({@link QdrantStandIn#SAMPLE_IDS}); fewer is a restore that lost points.
     */
    String restoredSampleIds() default QdrantStandIn.SAMPLE_IDS;

    /**
     * With {@link #missingCollectionRestoredAfterMillis}: at least 0, Qdrant goes on restoring the upload after it
     * answers: the collection exists, counting this many points (part of the backup), until the test calls
     * {@link QdrantStandIn#restoreEnds}; negative, the collection is restored whole as the upload is answered.
     */
    long restoreGoesOnWithPoints() default -1;

    /**
     * An earlier boot's restore did not end (the process stopped): its record is in the directory. With
     * {@link #missingCollectionRestoredAfterMillis}, {@code kairos} exists as Qdrant left it (see
     * {@link #restoreLeftWithPoints}, with the copy of the upload listed) until it is dropped; without, it exists and no backup
     * of it is there.
     * With {@link #plantedOffsitePrefix} too, the record is in the bucket only, as a pod without a volume, replaced
     * during its boot's restore, leaves it.
     */
    boolean restoreLeftUnfinished() default false;

    /**
     * With {@link #restoreLeftUnfinished} and {@link #missingCollectionRestoredAfterMillis}: at least 0, the collection
     * as Qdrant left it counts this many points (part of the backup: Qdrant was still restoring it); negative, it
     * answers as a restored one (Qdrant restored the upload whole after the process stopped).
     */
    long restoreLeftWithPoints() default -1;

    /**
     * The first request {@code "<method> <path>"} (a path without its query, {@code "GET /"}) Qdrant is sent fails
     * (500); the later ones answer.
     */
    String firstFails() default "";

    /** Every request {@code "<method> <path>"} (a path without its query) Qdrant is sent fails (500). */
    String fails() default "";

    /**
     * With {@link #restoreLeftUnfinished} and no {@link #missingCollectionRestoredAfterMillis}: the record names this
     * Qdrant URL (that restore went to another Qdrant than this one).
     */
    String unfinishedRestoreQdrant() default "";

    /**
     * Drills of an earlier process left scratch collections on Qdrant (see {@link QdrantStandIn#scratchLeft}). With
     * {@link #plantedOffsitePrefix}, their records are in the bucket only (a pod without a volume).
     */
    boolean scratchLeft() default false;

    /**
     * An earlier process stopped during a restore's upload: the run journal has it going, and Qdrant keeps the copy of
     * its upload (see {@link QdrantStandIn#restoreStopped}).
     */
    boolean restoreStopped() default false;

    /**
     * With {@link #missingCollectionRestoredAfterMillis} (or else {@link #plantedSnapshotAge}): that snapshot is moved
     * to the bucket under this prefix, with the sidecars it has.
     */
    String plantedOffsitePrefix() default "";

    /**
     * With {@link #plantedOffsitePrefix} and {@link #missingCollectionRestoredAfterMillis}: the snapshot is copied to
     * the bucket rather than moved, and its local copy then rots (a byte changed, its size the same).
     */
    boolean plantedLocalCopyRotted() default false;

    /** {@code QDRANT_COLLECTION} is this alias, which Qdrant resolves to {@code kairos}. */
    String configuredAlias() default "";

    /** Qdrant has no collection {@code kairos} (see {@link QdrantStandIn#collectionMissing}). */
    boolean collectionMissing() default false;

    /** The same snapshot is in the directory, and any drill scratch collection ({@code drill-kairos-<time>}) takes it. */
    boolean drillable() default false;
}
