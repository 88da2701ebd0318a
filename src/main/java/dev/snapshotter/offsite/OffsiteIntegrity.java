package dev.snapshotter.offsite;

import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.snapshotter.config.QdrantConfig;
import dev.snapshotter.store.SnapshotCatalog.IntegrityCheck;
import dev.snapshotter.store.SnapshotFailure;
import dev.snapshotter.store.SnapshotFileName;

/**
 * The last integrity check off-site, for a pod whose directory does not outlive it ({@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL
 * =false}, a lost volume): one small object in the folder {@code <key of QDRANT_COLLECTION>/integrity/}, named
 * {@code <UTC time the check started>.json}, holding what {@code .integrity.json} holds. Each check writes its own,
 * never over another, then removes those before it. So a pod that restarts without its directory counts the
 * {@code every} schedule from the last check and publishes what that check found, instead of streaming every backup in
 * the bucket again at each boot.
 */
@ApplicationScoped
public class OffsiteIntegrity {

    private static final Logger LOG = Logger.getLogger(OffsiteIntegrity.class);
    private static final Pattern RECORD = Pattern.compile("(.+)\\.json");

    private final S3Store store;
    private final QdrantConfig config;
    private final Instance<ObjectMapper> json;
    private final RecordFolder records;
    /** The newest record read or written, with its name; null before one. */
    private volatile Named last;

    private record Named(String name, IntegrityCheck check) {
    }

    OffsiteIntegrity(S3Store store, QdrantConfig config, Instance<ObjectMapper> json, ManagedExecutor executor) {
        this.store = store;
        this.config = config;
        this.json = json;
        this.records = new RecordFolder(store, this::folder, name -> startedAt(name).isPresent(), "integrity checks",
                executor);
    }

    private String folder() {
        return store.keys().integrityFolder(SnapshotFileName.key(config.collection()));
    }

    private static Optional<Instant> startedAt(String name) {
        Matcher matcher = RECORD.matcher(name);
        return matcher.matches() ? SnapshotFileName.parseTime(matcher.group(1)) : Optional.empty();
    }

    /**
     * The last integrity check the bucket records; empty without a bucket, before the first check, or when the store
     * fails to list the folder (logged; the next call lists again). A record whose content cannot be read still gives
     * when that check started (its name), with nothing found.
     */
    public synchronized Optional<IntegrityCheck> last() {
        if (!store.enabled()) {
            return Optional.empty();
        }
        Optional<String> newest = records.records().flatMap(names -> names.descendingSet().stream().findFirst());
        if (newest.isEmpty()) {
            return Optional.empty();
        }
        String name = newest.get();
        Named known = last;
        if (known != null && known.name().equals(name)) {
            return Optional.of(known.check());
        }
        IntegrityCheck check;
        try {
            Optional<byte[]> content = records.read(name);
            if (content.isEmpty()) {
                return Optional.empty(); // removed meanwhile, by the check that recorded the one after it
            }
            check = json.get().readValue(content.get(), IntegrityCheck.class);
            Instant.parse(check.startedAt());
        } catch (SnapshotFailure | IOException | RuntimeException e) {
            LOG.warnf("The last integrity check recorded off-site, %s, could not be read (%s): only when it started "
                    + "counts", name, e instanceof SnapshotFailure ? e.getMessage() : e.toString());
            IntegrityCheck started = new IntegrityCheck(startedAt(name).orElseThrow().toString(), null, 0, 0,
                    List.of(), null, null);
            if (!(e instanceof SnapshotFailure)) {
                last = new Named(name, started); // its content will not change; a store that failed may answer later
            }
            return Optional.of(started);
        }
        last = new Named(name, check);
        return Optional.of(check);
    }

    /**
     * Records a check off-site, then removes the records before it. A store that fails it is logged: the check itself
     * is done, and the directory records it too.
     */
    public synchronized void record(IntegrityCheck check) {
        if (!store.enabled()) {
            return;
        }
        Instant at = Instant.parse(check.startedAt()).truncatedTo(ChronoUnit.MILLIS); // as the name keeps it
        String name = RecordFolder.name(at, ".json");
        try {
            byte[] content = json.get().writeValueAsBytes(check);
            Optional<NavigableSet<String>> listed = records.records();
            records.put(name, content);
            last = new Named(name, check);
            if (listed.isEmpty()) {
                return; // the folder could not be listed: the next check removes what this one would have
            }
            for (String older : List.copyOf(listed.get().headSet(name, false))) {
                records.remove(older);
            }
        } catch (SnapshotFailure | IOException e) {
            LOG.warnf("The integrity check of %s could not be recorded off-site: %s", check.startedAt(),
                    e instanceof SnapshotFailure ? e.getMessage() : e.toString());
        }
    }
}
