package dev.snapshotter.offsite;

import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.snapshotter.config.QdrantConfig;
import dev.snapshotter.store.SnapshotCatalog;
import dev.snapshotter.store.SnapshotFailure;
import dev.snapshotter.store.SnapshotFileName;

/**
 * The restore drills' history off-site, for a pod whose directory does not outlive it
 * ({@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false}, a lost volume): one small object per drill in the folder
 * {@code <key of QDRANT_COLLECTION>/drills/}, named {@code <UTC time>-passed.json} or {@code <UTC time>-failed.json}
 * (the drill's {@code .drill} record as content), so that a listing alone says when the last drill ran and when the
 * last one passed. Each is written conditionally, never over another; after each, the records older than both the last
 * drill and the last passed one go. The folder is a {@link RecordFolder}: a metrics scrape never waits on the store, it
 * reads what is known ({@link #lastKnown}), the first listing going on in the background meanwhile.
 */
@ApplicationScoped
public class OffsiteDrills {

    private static final Logger LOG = Logger.getLogger(OffsiteDrills.class);
    private static final Pattern RECORD = Pattern.compile("(.+)-(passed|failed)\\.json");
    private static final String SCRATCH = "-scratch.json";

    private final S3Store store;
    private final QdrantConfig config;
    private final Instance<ObjectMapper> json;
    private final RecordFolder records;
    /** The scratch collections drills created and did not see dropped, in the same folder. */
    private final RecordFolder scratch;
    /** Held while a drill is recorded, so that records and their removals go one drill at a time. */
    private final Object recording = new Object();

    OffsiteDrills(S3Store store, QdrantConfig config, Instance<ObjectMapper> json, ManagedExecutor executor) {
        this.store = store;
        this.config = config;
        this.json = json;
        this.records = new RecordFolder(store, this::folder, name -> Recorded.of(name).isPresent(), "restore drills",
                executor);
        this.scratch = new RecordFolder(store, this::folder, RecordFolder.named(SCRATCH), "drills' scratch collections",
                executor);
    }

    /** A drill's record read back from its name. */
    private record Recorded(Instant drilledAt, boolean passed) {

        static Optional<Recorded> of(String name) {
            Matcher matcher = RECORD.matcher(name);
            return matcher.matches() ? SnapshotFileName.parseTime(matcher.group(1))
                    .map(at -> new Recorded(at, "passed".equals(matcher.group(2)))) : Optional.empty();
        }
    }

    private String folder() {
        return store.keys().drillsFolder(SnapshotFileName.key(config.collection()));
    }

    /**
     * Whether the bucket records the drills' scratch collections too: with a bucket and a directory that does not outlive
     * the pod ({@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false}); the directory's record serves a pod with a volume.
     */
    public boolean recordsScratch() {
        return store.enabled() && !config.snapshot().s3().keepLocal();
    }

    /**
     * The scratch collections the bucket records as created by a drill and not seen dropped ({@code <UTC time>-scratch.json}
     * in the drills' folder, the directory's record of it as content): for a pod whose directory does not outlive it.
     * Empty unless {@link #recordsScratch}; a store that fails the listing or a read is said at WARN.
     */
    public List<SnapshotCatalog.Scratch> scratch() {
        return recordsScratch() ? List.copyOf(scratch.readAll(json.get(), SnapshotCatalog.Scratch.class).values())
                : List.of();
    }

    /**
     * How many scratch collections the bucket records, other than that of the drill started at {@code going} (null:
     * none goes), as far as known without waiting on the store (for a scrape); 0 unless {@link #recordsScratch}.
     */
    public long scratchKnown(Instant going) {
        String goingName = going == null ? null : RecordFolder.name(going, SCRATCH);
        return recordsScratch() ? scratch.known().map(names -> names.stream().filter(name -> !name.equals(goingName))
                .count()).orElse(0L) : 0;
    }

    /**
     * Records off-site that a drill creates the scratch collection {@code created} (before its upload), or forgets it
     * (dropped, or never created); a store that fails it is logged: the directory records it too.
     */
    public void scratch(SnapshotCatalog.Scratch collection, boolean created) {
        if (!recordsScratch()) {
            return;
        }
        String name = RecordFolder.name(Instant.parse(collection.since()), SCRATCH);
        try {
            if (created) {
                scratch.put(name, json.get().writeValueAsBytes(collection));
            } else {
                scratch.remove(name);
            }
        } catch (SnapshotFailure | IOException e) {
            LOG.warnf("The record of the drill's scratch collection `%s` could not be %s off-site: %s",
                    collection.collection(), created ? "written" : "removed",
                    e instanceof SnapshotFailure ? e.getMessage() : e.toString());
        }
    }

    /**
     * When the last drill ran ({@code passedOnly}: the last that passed) as the bucket records; empty without a bucket,
     * before the first drill, or while the store has not answered the folder's first listing.
     */
    public Optional<Instant> last(boolean passedOnly) {
        return store.enabled() ? records.records().flatMap(names -> last(names, passedOnly)) : Optional.empty();
    }

    /**
     * As {@link #last}, from what is known now, without waiting on the store: before the folder's first listing has
     * succeeded, empty, and that listing is started in the background.
     */
    public Optional<Instant> lastKnown(boolean passedOnly) {
        return store.enabled() ? records.known().flatMap(names -> last(names, passedOnly)) : Optional.empty();
    }

    /** Whether {@link #lastKnown} says all the bucket records: no bucket, or its folder listed. */
    public boolean listed() {
        return !store.enabled() || records.listed();
    }

    private static Optional<Instant> last(Set<String> names, boolean passedOnly) {
        return names.stream().flatMap(name -> Recorded.of(name).stream())
                .filter(recorded -> !passedOnly || recorded.passed()).map(Recorded::drilledAt)
                .max(Comparator.naturalOrder());
    }

    /**
     * Records a drill off-site, then removes the records it makes redundant. A store that fails it is logged: the drill
     * itself is done, and the directory records it too.
     */
    public void record(SnapshotCatalog.Drill drill) {
        synchronized (recording) {
            recordOne(drill);
        }
    }

    private void recordOne(SnapshotCatalog.Drill drill) {
        if (!store.enabled()) {
            return;
        }
        Instant at = Instant.parse(drill.drilledAt()).truncatedTo(ChronoUnit.MILLIS); // as the name keeps it
        String name = RecordFolder.name(at, "-" + drill.result() + ".json");
        try {
            byte[] content = json.get().writeValueAsBytes(drill);
            Optional<NavigableSet<String>> listed = records.records();
            records.put(name, content); // a record of that instant is there already: kept
            if (listed.isEmpty()) {
                return; // the folder could not be listed: its next listing finds this record
            }
            Optional<Instant> lastPassed = last(listed.get(), true);
            for (String older : List.copyOf(listed.get())) {
                Recorded recorded = Recorded.of(older).orElseThrow();
                if (recorded.drilledAt().isBefore(at)
                        && !(recorded.passed() && lastPassed.equals(Optional.of(recorded.drilledAt())))) {
                    records.remove(older);
                }
            }
        } catch (SnapshotFailure | IOException e) {
            LOG.warnf("The restore drill of %s could not be recorded off-site: %s", drill.drilledAt(),
                    e instanceof SnapshotFailure ? e.getMessage() : e.toString());
        }
    }
}
