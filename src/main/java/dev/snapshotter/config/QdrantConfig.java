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
        @WithConverter(BaseUrlConverter.DrillUrl.class)
        Optional<URI> url();
    }

    interface Snapshot {

        /** Take one snapshot at boot ({@code QDRANT_SNAPSHOT_ON_START}). */
        @WithDefault("false")
        @WithConverter(FlagConverter.OnStart.class)
        boolean onStart();

        /**
         * Fail closed: while the boot snapshot has not succeeded, {@code /q/health/started} stays DOWN (with the
         * reason) and the boot snapshot is retried with backoff, so the app beside this one does not start without a
         * backup ({@code QDRANT_SNAPSHOT_ON_START_REQUIRED}).
         */
        @WithDefault("false")
        @WithConverter(FlagConverter.OnStartRequired.class)
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
        @WithConverter(FlagConverter.RestoreIfMissing.class)
        boolean restoreIfMissing();

        /** Where snapshot files go; resolved to an absolute path at boot ({@code QDRANT_SNAPSHOT_DIR}). */
        @WithDefault("./data/qdrant/snapshots")
        @WithConverter(NonBlank.Directory.class)
        String dir();

        /** The longest a snapshot creation may take on Qdrant's side ({@code QDRANT_SNAPSHOT_TIMEOUT}). */
        @WithDefault("30m")
        @WithConverter(BoundedDuration.SnapshotTimeout.class)
        Duration timeout();

        /**
         * Delete Qdrant's server-side copy once ours is verified; Qdrant never deletes snapshots by itself
         * ({@code QDRANT_SNAPSHOT_DELETE_REMOTE}).
         */
        @WithDefault("true")
        @WithConverter(FlagConverter.DeleteRemote.class)
        boolean deleteRemote();

        /**
         * Base URL the snapshot files are downloaded from, when that route differs from {@code QDRANT_URL} (a Qdrant
         * node reached directly rather than through a proxy, say); unset, {@code QDRANT_URL}
         * ({@code QDRANT_SNAPSHOT_DOWNLOAD_URL}).
         */
        @WithConverter(BaseUrlConverter.DownloadUrl.class)
        Optional<URI> downloadUrl();

        /**
         * The longest silence tolerated in the middle of a download: no byte for this long and the download fails
         * as stalled ({@code QDRANT_SNAPSHOT_STALL_TIMEOUT}).
         */
        @WithDefault("60s")
        @WithConverter(BoundedDuration.StallTimeout.class)
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
        @WithConverter(BoundedDuration.KeepWithin.class)
        Optional<Duration> keepWithin();

        /**
         * When to take snapshots on a schedule: a Quartz cron expression of 6 or 7 fields ({@code 0 0 3 * * ?}), or
         * {@code every <duration>} ({@code every 6h}); unset, no schedule ({@code QDRANT_SNAPSHOT_SCHEDULE}).
         */
        @WithConverter(Schedule.Reader.class)
        Optional<Schedule> schedule();

        /**
         * When to run restore drills, in the forms of {@code QDRANT_SNAPSHOT_SCHEDULE}; {@code every <duration>} is due
         * one interval after the last drill; unset, no scheduled drill ({@code QDRANT_SNAPSHOT_DRILL_SCHEDULE}).
         */
        @WithConverter(Schedule.DrillReader.class)
        Optional<Schedule> drillSchedule();
    }
}
