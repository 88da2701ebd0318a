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
    String collection();

    /** How long the boot snapshot waits for Qdrant's {@code /readyz} to answer 200 ({@code QDRANT_WAIT_TIMEOUT}). */
    @WithDefault("30s")
    Duration waitTimeout();

    /** PEM file of the CA that signed Qdrant's certificate, for https ({@code QDRANT_CA_CERT_PATH}). */
    Optional<Path> caCertPath();

    /** The snapshot pipeline. */
    Snapshot snapshot();

    interface Snapshot {

        /** Take one snapshot at boot ({@code QDRANT_SNAPSHOT_ON_START}). */
        @WithDefault("false")
        @WithConverter(FlagConverter.OnStart.class)
        boolean onStart();

        /** Where snapshot files go; resolved to an absolute path at boot ({@code QDRANT_SNAPSHOT_DIR}). */
        @WithDefault("./data/qdrant/snapshots")
        String dir();

        /** The longest a snapshot creation may take on Qdrant's side ({@code QDRANT_SNAPSHOT_TIMEOUT}). */
        @WithDefault("30m")
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
        @WithDefault("${qdrant.url}")
        @WithConverter(BaseUrlConverter.DownloadUrl.class)
        URI downloadUrl();

        /**
         * The longest silence tolerated in the middle of a download: no byte for this long and the download fails
         * as stalled ({@code QDRANT_SNAPSHOT_STALL_TIMEOUT}).
         */
        @WithDefault("60s")
        Duration stallTimeout();

        /**
         * When set, {@code POST /api/snapshot} requires {@code Authorization: Bearer <token>}
         * ({@code QDRANT_SNAPSHOT_API_TOKEN}).
         */
        Optional<String> apiToken();
    }
}
