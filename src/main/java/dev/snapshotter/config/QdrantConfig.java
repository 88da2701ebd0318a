package dev.snapshotter.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

/**
 * Everything an operator sets. Each key is also its environment variable: {@code qdrant.snapshot.on-start} is
 * {@code QDRANT_SNAPSHOT_ON_START}, the names the Kairos memory server already uses.
 */
@ConfigMapping(prefix = "qdrant")
public interface QdrantConfig {

    /** Qdrant's REST base URL, http or https ({@code QDRANT_URL}). */
    @WithDefault("http://localhost:6333")
    @WithConverter(BaseUrlConverter.class)
    URI url();

    /** Sent as the {@code api-key} header when set; never logged or echoed ({@code QDRANT_API_KEY}). */
    Optional<String> apiKey();

    /** Collection to snapshot; an alias is resolved to its collection at each run ({@code QDRANT_COLLECTION}). */
    @WithDefault("kairos")
    @WithConverter(NonBlank.Collection.class)
    String collection();

    /** How long the boot snapshot waits for Qdrant's {@code /readyz} to answer 200 ({@code QDRANT_WAIT_TIMEOUT}). */
    @WithDefault("30s")
    @WithConverter(BoundedDuration.WaitTimeout.class)
    Duration waitTimeout();

    /** PEM file of the CA that signed Qdrant's certificate, for https ({@code QDRANT_CA_CERT_PATH}). */
    Optional<Path> caCertPath();

    /** The snapshot pipeline. */
    Snapshot snapshot();

    /** Restore drills. */
    Drill drill();

    /** A Qdrant cluster backed up as sets; off while {@code QDRANT_CLUSTER_NODES} is unset. */
    Cluster cluster();

    /**
     * The cluster plan: each run reads where the collection's shards live, snapshots the fewest nodes whose
     * {@code Active} replicas cover every shard, and publishes the files as one backup set.
     */
    interface Cluster {

        /**
         * The REST base URL of every node, comma-separated (a StatefulSet's
         * {@code http://qdrant-0.qdrant-headless:6333,...}), never a load-balanced address
         * ({@code QDRANT_CLUSTER_NODES}).
         */
        @WithConverter(ClusterSettings.NodesReader.class)
        Optional<ClusterSettings.Nodes> nodes();

        /** How many nodes are snapshotted at once ({@code QDRANT_CLUSTER_PARALLELISM}). */
        @WithDefault("4")
        @WithConverter(ClusterSettings.Parallelism.class)
        int parallelism();

        /**
         * How long a run waits for shard transfers, resharding or a shard without an {@code Active} replica to
         * settle before it fails; {@code 0s} fails at once ({@code QDRANT_CLUSTER_SETTLE_TIMEOUT}).
         */
        @WithDefault("0s")
        @WithConverter(BoundedDuration.ClusterSettleTimeout.class)
        Duration settleTimeout();
    }

    interface Drill {

        /**
         * The start of a drill's scratch collection name, {@code <prefix><collection>-<UTC time>}
         * ({@code QDRANT_DRILL_PREFIX}).
         */
        @WithDefault("drill-")
        @WithConverter(NonBlank.DrillPrefix.class)
        String prefix();

        /**
         * A Qdrant of the production version that drills restore into instead of {@code QDRANT_URL} (a throwaway one:
         * recommended, so a drill takes no disk or memory from the production Qdrant); the same {@code QDRANT_API_KEY}
         * and TLS trust apply ({@code QDRANT_DRILL_URL}).
         */
        @WithConverter(BaseUrlConverter.class)
        Optional<URI> url();
    }

    interface Snapshot extends CalendarRetention {

        /** Take one snapshot at boot ({@code QDRANT_SNAPSHOT_ON_START}). */
        @WithDefault("false")
        @WithConverter(FlagConverter.class)
        boolean onStart();

        /**
         * Fail closed: while the boot snapshot has not succeeded, {@code /q/health/started} stays DOWN (with the
         * reason) and the boot snapshot is retried with backoff, so the app beside this one does not start without a
         * backup ({@code QDRANT_SNAPSHOT_ON_START_REQUIRED}).
         */
        @WithDefault("false")
        @WithConverter(FlagConverter.class)
        boolean onStartRequired();

        /**
         * Skip the boot snapshot when a verified snapshot of the same collection newer than this is already in the
         * directory: a pod restarting in a loop does not add a full copy per restart; unset, always take it
         * ({@code QDRANT_SNAPSHOT_ON_START_MIN_INTERVAL}).
         */
        @WithConverter(BoundedDuration.OnStartMinInterval.class)
        Optional<Duration> onStartMinInterval();

        /**
         * At boot, before the boot snapshot and before {@code /q/health/started} goes UP: when the collection
         * {@code QDRANT_COLLECTION} names does not exist on Qdrant, restore the newest verified snapshot of it from the
         * directory (and take no boot snapshot of the restored data), so the app beside this one starts on its data
         * rather than an empty collection ({@code QDRANT_SNAPSHOT_RESTORE_IF_MISSING}).
         */
        @WithDefault("false")
        @WithConverter(FlagConverter.class)
        boolean restoreIfMissing();

        /** Where snapshot files go; resolved to an absolute path at boot ({@code QDRANT_SNAPSHOT_DIR}). */
        @WithDefault("./data/qdrant/snapshots")
        @WithConverter(NonBlank.Directory.class)
        String dir();

        /** The longest a snapshot creation may take on Qdrant's side ({@code QDRANT_SNAPSHOT_TIMEOUT}). */
        @WithDefault("30m")
        @WithConverter(BoundedDuration.Timeout.class)
        Duration timeout();

        /**
         * Delete Qdrant's server-side copy once ours is verified; Qdrant never deletes snapshots by itself
         * ({@code QDRANT_SNAPSHOT_DELETE_REMOTE}).
         */
        @WithDefault("true")
        @WithConverter(FlagConverter.class)
        boolean deleteRemote();

        /**
         * Base URL the snapshot files are downloaded from, when that route differs from {@code QDRANT_URL} (a Qdrant
         * node reached directly rather than through a proxy, say); unset, {@code QDRANT_URL}
         * ({@code QDRANT_SNAPSHOT_DOWNLOAD_URL}).
         */
        @WithConverter(BaseUrlConverter.class)
        Optional<URI> downloadUrl();

        /**
         * The longest silence tolerated in the middle of a transfer: a download from Qdrant, an S3 request or part
         * upload that moves no byte for this long fails as stalled ({@code QDRANT_SNAPSHOT_STALL_TIMEOUT}).
         */
        @WithDefault("60s")
        @WithConverter(BoundedDuration.Timeout.class)
        Duration stallTimeout();

        /**
         * When set, {@code POST /api/snapshot} requires {@code Authorization: Bearer <token>}
         * ({@code QDRANT_SNAPSHOT_API_TOKEN}).
         */
        Optional<String> apiToken();

        /**
         * Retention by count: after a verified run, keep this many of the collection's newest snapshots; unset, keep
         * all ({@code QDRANT_SNAPSHOT_KEEP_LAST}).
         */
        @WithConverter(KeepLastConverter.class)
        Optional<Integer> keepLast();

        /**
         * Retention by age: after a verified run, keep the collection's snapshots younger than this; unset, no age
         * rule. With both rules set, a snapshot either rule keeps is kept ({@code QDRANT_SNAPSHOT_KEEP_WITHIN}).
         */
        @WithConverter(BoundedDuration.Age.class)
        Optional<Duration> keepWithin();

        /**
         * When to take snapshots on a schedule: a Quartz cron expression of 6 or 7 fields ({@code 0 0 3 * * ?}), or
         * {@code every <duration>} ({@code every 6h}); unset, no schedule ({@code QDRANT_SNAPSHOT_SCHEDULE}).
         */
        @WithConverter(Schedule.Reader.class)
        Optional<Schedule> schedule();

        /**
         * How long after a scheduled run that failed it is tried again, doubling after each failure in a row up to an
         * hour (never past the next regular firing's need: a success ends the retries); {@code 0} turns them off
         * ({@code QDRANT_SNAPSHOT_SCHEDULE_RETRY}).
         */
        @WithDefault("5m")
        @WithConverter(BoundedDuration.ScheduleRetry.class)
        Duration scheduleRetry();

        /**
         * When to run restore drills, in the forms of {@code QDRANT_SNAPSHOT_SCHEDULE}; {@code every <duration>} is due
         * one interval after the last drill; unset, no scheduled drill ({@code QDRANT_SNAPSHOT_DRILL_SCHEDULE}).
         */
        @WithConverter(Schedule.DrillReader.class)
        Optional<Schedule> drillSchedule();

        /**
         * When to re-read every snapshot and backup set in the directory against its checksum file, with the offline
         * archive check (an integrity check: bit rot in an older backup shows before a restore needs it), in the forms
         * of {@code QDRANT_SNAPSHOT_SCHEDULE}; {@code every <duration>} is due one interval after the last check;
         * unset, none ({@code QDRANT_SNAPSHOT_VERIFY_SCHEDULE}).
         */
        @WithConverter(Schedule.VerifyReader.class)
        Optional<Schedule> verifySchedule();

        /**
         * With the bucket set, each integrity check also streams every backup of {@code QDRANT_COLLECTION} that is only
         * off-site (none of its copies in the directory: all of them for {@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false})
         * through the same checks; the store bills the reads as egress ({@code QDRANT_SNAPSHOT_VERIFY_OFFSITE}).
         */
        @WithDefault("false")
        @WithConverter(FlagConverter.class)
        boolean verifyOffsite();

        /**
         * The most bytes per second an integrity check reads, from the directory and from the bucket, so that a check
         * leaves the disk and the link to Qdrant and the app; unset, no limit ({@code QDRANT_SNAPSHOT_VERIFY_RATE}).
         */
        @WithConverter(ByteRate.Verify.class)
        Optional<Long> verifyRate();

        /** Off-site copies in S3-compatible object storage; off while {@code QDRANT_SNAPSHOT_S3_BUCKET} is unset. */
        S3 s3();
    }

    /**
     * Every verified snapshot is copied to {@code s3://<bucket>/<prefix>/<collection key>/<file>}, with its checksum
     * file and manifest, and checked there before the copy counts.
     */
    interface S3 extends CalendarRetention {

        /** The bucket; setting it turns off-site copies on ({@code QDRANT_SNAPSHOT_S3_BUCKET}). */
        @WithConverter(S3Settings.Bucket.class)
        Optional<String> bucket();

        /**
         * Key prefix under which this service writes, without leading or trailing {@code /}
         * ({@code QDRANT_SNAPSHOT_S3_PREFIX}).
         */
        @WithConverter(S3Settings.Prefix.class)
        Optional<String> prefix();

        /** An S3-compatible endpoint (MinIO, Ceph RGW, R2...); unset means AWS ({@code QDRANT_SNAPSHOT_S3_ENDPOINT}). */
        @WithConverter(BaseUrlConverter.class)
        Optional<URI> endpoint();

        /**
         * The bucket's region; unset, the AWS SDK's chain ({@code AWS_REGION}, profile, instance metadata), else
         * {@code us-east-1} ({@code QDRANT_SNAPSHOT_S3_REGION}).
         */
        @WithConverter(S3Settings.Region.class)
        Optional<String> region();

        /**
         * Path-style addressing ({@code endpoint/bucket/key}), which most self-hosted stores need
         * ({@code QDRANT_SNAPSHOT_S3_PATH_STYLE}).
         */
        @WithDefault("false")
        @WithConverter(FlagConverter.class)
        boolean pathStyle();

        /**
         * With {@code QDRANT_SNAPSHOT_S3_SECRET_KEY}, a static credential; unset, the AWS SDK's default chain
         * (environment, profile, web identity as with IRSA, container credentials, instance profile)
         * ({@code QDRANT_SNAPSHOT_S3_ACCESS_KEY}).
         */
        Optional<String> accessKey();

        /** Never logged or echoed ({@code QDRANT_SNAPSHOT_S3_SECRET_KEY}). */
        Optional<String> secretKey();

        /** PEM file of the CA that signed the endpoint's certificate ({@code QDRANT_SNAPSHOT_S3_CA_CERT_PATH}). */
        Optional<Path> caCertPath();

        /**
         * The size of each part of a multipart upload, 5 MiB to 1 GiB; a file that would need more than S3's 10,000
         * parts gets larger ones ({@code QDRANT_SNAPSHOT_S3_PART_SIZE}).
         */
        @WithDefault("16MiB")
        @WithConverter(S3Settings.PartSize.class)
        long partSize();

        /**
         * Parts uploaded at once; memory held for an upload is part size x this
         * ({@code QDRANT_SNAPSHOT_S3_UPLOAD_CONCURRENCY}).
         */
        @WithDefault("4")
        @WithConverter(S3Settings.Concurrency.class)
        int uploadConcurrency();

        /**
         * The most bytes per second the uploads send, all parts together, so that a copy leaves the link to the app;
         * unset, no limit ({@code QDRANT_SNAPSHOT_S3_UPLOAD_RATE}).
         */
        @WithConverter(ByteRate.Upload.class)
        Optional<Long> uploadRate();

        /**
         * Server-side encryption asked of S3 for every object written: {@code AES256} (SSE-S3) or {@code aws:kms}
         * (SSE-KMS); unset, the bucket's default applies ({@code QDRANT_SNAPSHOT_S3_SSE}).
         */
        @WithConverter(S3Settings.Sse.class)
        Optional<String> sse();

        /**
         * The KMS key of {@code QDRANT_SNAPSHOT_S3_SSE=aws:kms} (id, ARN or alias); unset, the store's default key
         * ({@code QDRANT_SNAPSHOT_S3_SSE_KMS_KEY_ID}).
         */
        Optional<String> sseKmsKeyId();

        /**
         * S3 Object Lock on every object of a backup: {@code GOVERNANCE} or {@code COMPLIANCE}, for
         * {@code QDRANT_SNAPSHOT_S3_LOCK_FOR} from its write; unset, none asked ({@code QDRANT_SNAPSHOT_S3_LOCK_MODE}).
         */
        @WithConverter(S3Settings.LockMode.class)
        Optional<String> lockMode();

        /** How long each object of a backup stays locked ({@code QDRANT_SNAPSHOT_S3_LOCK_FOR}). */
        @WithConverter(BoundedDuration.Age.class)
        Optional<Duration> lockFor();

        /** Off-site retention by count, like {@code QDRANT_SNAPSHOT_KEEP_LAST} ({@code QDRANT_SNAPSHOT_S3_KEEP_LAST}). */
        @WithConverter(KeepLastConverter.class)
        Optional<Integer> keepLast();

        /** Off-site retention by age, like {@code QDRANT_SNAPSHOT_KEEP_WITHIN} ({@code QDRANT_SNAPSHOT_S3_KEEP_WITHIN}). */
        @WithConverter(BoundedDuration.Age.class)
        Optional<Duration> keepWithin();

        /**
         * {@code false} for pods without a volume: the local file is removed once its off-site copy is confirmed, so
         * the directory holds a snapshot only while it is being copied ({@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL}).
         */
        @WithDefault("true")
        @WithConverter(FlagConverter.class)
        boolean keepLocal();
    }
}
