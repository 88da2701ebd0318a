package dev.snapshotter.offsite;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * drill and the last passed one go. The folder is listed the first time it is asked for, waiting at most
 * {@link OffsiteCopies#FIRST_LISTING} (a listing that fails is tried again at the next question); after that, this
 * service's own drills keep what is known up to date. A metrics scrape never waits on the store: it reads what is known
 * ({@link #lastKnown}), the first listing going on in the background meanwhile.
 */
@ApplicationScoped
public class OffsiteDrills {

    private static final Logger LOG = Logger.getLogger(OffsiteDrills.class);
    private static final Pattern RECORD = Pattern.compile("(.+)-(passed|failed)\\.json");
    static final Duration RETRY = Duration.ofMinutes(1);

    private final S3Store store;
    private final QdrantConfig config;
    private final Instance<ObjectMapper> json;
    private final ManagedExecutor executor;
    /** The record names in the folder, in time order; null until a listing of the folder succeeded. */
    private volatile NavigableSet<String> known;
    /** Held by the folder's first listing, so that one goes at a time. */
    private final Object listing = new Object();
    private final AtomicBoolean listingInBackground = new AtomicBoolean();
    /** When a listing of the folder last failed: one in the background waits {@link #RETRY} after it. */
    private volatile Instant listingFailedAt = Instant.EPOCH;
    /** Held while a drill is recorded, so that records and their removals go one drill at a time. */
    private final Object recording = new Object();

    OffsiteDrills(S3Store store, QdrantConfig config, Instance<ObjectMapper> json, ManagedExecutor executor) {
        this.store = store;
        this.config = config;
        this.json = json;
        this.executor = executor;
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
     * When the last drill ran ({@code passedOnly}: the last that passed) as the bucket records; empty without a bucket,
     * before the first drill, or while the store has not answered the folder's first listing.
     */
    public Optional<Instant> last(boolean passedOnly) {
        return store.enabled() ? records().flatMap(records -> last(records, passedOnly)) : Optional.empty();
    }

    /**
     * As {@link #last}, from what is known now, without waiting on the store: before the folder's first listing has
     * succeeded, empty, and that listing is started in the background.
     */
    public Optional<Instant> lastKnown(boolean passedOnly) {
        if (!store.enabled()) {
            return Optional.empty();
        }
        Set<String> now = known;
        if (now == null) {
            listInBackground();
            return Optional.empty();
        }
        return last(now, passedOnly);
    }

    /** Whether {@link #lastKnown} says all the bucket records: no bucket, or its folder listed. */
    public boolean listed() {
        return !store.enabled() || known != null;
    }

    private static Optional<Instant> last(Set<String> records, boolean passedOnly) {
        return records.stream().flatMap(name -> Recorded.of(name).stream())
                .filter(recorded -> !passedOnly || recorded.passed()).map(Recorded::drilledAt)
                .max(Comparator.naturalOrder());
    }

    private void listInBackground() {
        if (Instant.now().isAfter(listingFailedAt.plus(RETRY)) && listingInBackground.compareAndSet(false, true)) {
            try {
                executor.execute(() -> {
                    try {
                        records();
                    } finally {
                        listingInBackground.set(false);
                    }
                });
            } catch (RejectedExecutionException e) {
                listingInBackground.set(false); // shutting down
            }
        }
    }

    /**
     * What is known of the folder, listed the first time; empty when the store fails that listing (the next call lists
     * again).
     */
    private Optional<Set<String>> records() {
        Set<String> now = known;
        if (now != null) {
            return Optional.of(now);
        }
        synchronized (listing) {
            if (known == null) {
                String folder = folder();
                NavigableSet<String> found = new ConcurrentSkipListSet<>();
                try {
                    store.list(folder, OffsiteCopies.FIRST_LISTING).forEach(object -> {
                        String name = object.key().substring(folder.length());
                        if (Recorded.of(name).isPresent()) {
                            found.add(name);
                        }
                    });
                } catch (SnapshotFailure e) {
                    LOG.warnf("The restore drills recorded off-site could not be read (%s): the directory's alone "
                            + "count", e.getMessage());
                    listingFailedAt = Instant.now();
                    return Optional.empty();
                }
                known = found;
            }
            return Optional.of(known);
        }
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
        String name = SnapshotFileName.time(at) + "-" + drill.result() + ".json";
        String folder = folder();
        try {
            byte[] content = json.get().writeValueAsBytes(drill);
            Optional<Set<String>> listed = records();
            store.putIfAbsent(folder + name, content, false); // a record of that instant is there already: kept
            if (listed.isEmpty()) {
                return; // the folder could not be listed: its next listing finds this record
            }
            Set<String> records = listed.get();
            records.add(name);
            Optional<Instant> lastPassed = last(records, true);
            for (String older : List.copyOf(records)) {
                Recorded recorded = Recorded.of(older).orElseThrow();
                if (recorded.drilledAt().isBefore(at)
                        && !(recorded.passed() && lastPassed.equals(Optional.of(recorded.drilledAt())))) {
                    store.delete(folder + older);
                    records.remove(older);
                }
            }
        } catch (SnapshotFailure | IOException e) {
            LOG.warnf("The restore drill of %s could not be recorded off-site: %s", drill.drilledAt(),
                    e instanceof SnapshotFailure ? e.getMessage() : e.toString());
        }
    }
}
