package dev.snapshotter.offsite;

import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

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
 * {@link OffsiteCopies#FIRST_LISTING}; after that, this service's own drills keep what is known up to date.
 */
@ApplicationScoped
public class OffsiteDrills {

    private static final Logger LOG = Logger.getLogger(OffsiteDrills.class);
    private static final Pattern RECORD = Pattern.compile("(.+)-(passed|failed)\\.json");

    private final S3Store store;
    private final QdrantConfig config;
    private final Instance<ObjectMapper> json;
    /** The record names in the folder, in time order; null until the folder was first looked at. */
    private Set<String> known;

    OffsiteDrills(S3Store store, QdrantConfig config, Instance<ObjectMapper> json) {
        this.store = store;
        this.config = config;
        this.json = json;
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
    public synchronized Optional<Instant> last(boolean passedOnly) {
        if (!store.enabled()) {
            return Optional.empty();
        }
        return records().stream().flatMap(name -> Recorded.of(name).stream())
                .filter(recorded -> !passedOnly || recorded.passed()).map(Recorded::drilledAt)
                .max(Comparator.naturalOrder());
    }

    /** What is known of the folder, listed the first time (a store that does not answer leaves it empty). */
    private Set<String> records() {
        if (known == null) {
            known = new TreeSet<>();
            String folder = folder();
            try {
                store.list(folder, OffsiteCopies.FIRST_LISTING).forEach(object -> {
                    String name = object.key().substring(folder.length());
                    if (Recorded.of(name).isPresent()) {
                        known.add(name);
                    }
                });
            } catch (SnapshotFailure e) {
                LOG.warnf("The restore drills recorded off-site could not be read (%s): the directory's alone count",
                        e.getMessage());
            }
        }
        return known;
    }

    /**
     * Records a drill off-site, then removes the records it makes redundant. A store that fails it is logged: the drill
     * itself is done, and the directory records it too.
     */
    public synchronized void record(SnapshotCatalog.Drill drill) {
        if (!store.enabled()) {
            return;
        }
        Instant at = Instant.parse(drill.drilledAt()).truncatedTo(ChronoUnit.MILLIS); // as the name keeps it
        String name = SnapshotFileName.time(at) + "-" + drill.result() + ".json";
        String folder = folder();
        try {
            byte[] content = json.get().writeValueAsBytes(drill);
            Set<String> records = records();
            store.putIfAbsent(folder + name, content); // a record of that instant is there already: kept
            records.add(name);
            Optional<Instant> lastPassed = last(true);
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
