package dev.snapshotter.offsite;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.snapshotter.store.SnapshotFailure;
import dev.snapshotter.store.SnapshotFileName;

/**
 * A folder of small records in the bucket, one object per event, whose names sort in time order (they start with the
 * event's UTC time, spelled as backups' names spell it): the history of a service whose directory may not outlive its
 * pod. The folder is listed the first time it is asked for, waiting at most {@link OffsiteCopies#FIRST_LISTING} (a
 * listing that fails is tried again at the next question); after that, the records this service writes and removes
 * keep what is known up to date. {@link #known} never waits on the store, for a metrics scrape.
 */
final class RecordFolder {

    private static final Logger LOG = Logger.getLogger(RecordFolder.class);
    static final Duration RETRY = Duration.ofMinutes(1);
    /** The most of a record read: ours are a few KiB. */
    private static final int MAX_RECORD = 1 << 20;

    private final S3Store store;
    private final Supplier<String> folder;
    private final Predicate<String> isRecord;
    private final String what;
    private final ManagedExecutor executor;
    /** The record names in the folder, in time order; null until a listing of the folder succeeded. */
    private volatile NavigableSet<String> known;
    /** Held by the folder's first listing, so that one goes at a time. */
    private final Object listing = new Object();
    private final AtomicBoolean listingInBackground = new AtomicBoolean();
    /** When a listing of the folder last failed: one in the background waits {@link #RETRY} after it. */
    private volatile Instant listingFailedAt = Instant.EPOCH;

    /**
     * @param folder the folder's key, ending with a slash
     * @param isRecord whether a name in the folder is one of its records (any other object is not listed)
     * @param what what the records are, for the log ({@code restore drills})
     */
    RecordFolder(S3Store store, Supplier<String> folder, Predicate<String> isRecord, String what,
            ManagedExecutor executor) {
        this.store = store;
        this.folder = folder;
        this.isRecord = isRecord;
        this.what = what;
        this.executor = executor;
    }

    /** The name of the record of an event at {@code at}: its UTC time to the millisecond, then {@code suffix}. */
    static String name(Instant at, String suffix) {
        return SnapshotFileName.time(at.truncatedTo(ChronoUnit.MILLIS)) + suffix;
    }

    /** Whether a name is that of a record {@link #name named} with {@code suffix}: the time before it must parse. */
    static Predicate<String> named(String suffix) {
        return name -> name.endsWith(suffix)
                && SnapshotFileName.parseTime(name.substring(0, name.length() - suffix.length())).isPresent();
    }

    /**
     * The records' names, listed the first time; empty when the store fails that listing (the next call lists again).
     * The set is live: {@link #put} and {@link #remove} keep it.
     */
    Optional<NavigableSet<String>> records() {
        NavigableSet<String> now = known;
        if (now != null) {
            return Optional.of(now);
        }
        synchronized (listing) {
            if (known == null) {
                String at = folder.get();
                NavigableSet<String> found = new ConcurrentSkipListSet<>();
                try {
                    store.list(at, OffsiteCopies.FIRST_LISTING).forEach(object -> {
                        String name = object.key().substring(at.length());
                        if (isRecord.test(name)) {
                            found.add(name);
                        }
                    });
                } catch (SnapshotFailure e) {
                    LOG.warnf("The %s recorded off-site could not be read (%s): the directory's alone count", what,
                            e.getMessage());
                    listingFailedAt = Instant.now();
                    return Optional.empty();
                }
                known = found;
            }
            return Optional.of(known);
        }
    }

    /**
     * As {@link #records}, without waiting on the store: before the folder's first listing has succeeded, empty, and
     * that listing is started in the background.
     */
    Optional<NavigableSet<String>> known() {
        NavigableSet<String> now = known;
        if (now == null) {
            listInBackground();
        }
        return Optional.ofNullable(now);
    }

    /** Whether {@link #known} says all the records: the folder was listed. */
    boolean listed() {
        return known != null;
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

    /** Writes the record {@code name}, never over another of that name (one there already is kept). */
    void put(String name, byte[] content) throws SnapshotFailure {
        store.putIfAbsent(folder.get() + name, content, false);
        NavigableSet<String> now = known;
        if (now != null) {
            now.add(name);
        }
    }

    /** Removes the record {@code name}. */
    void remove(String name) throws SnapshotFailure {
        store.delete(folder.get() + name);
        NavigableSet<String> now = known;
        if (now != null) {
            now.remove(name);
        }
    }

    /**
     * The records' contents read as {@code type}, by name in time order: empty when the folder cannot be listed; a record
     * that cannot be read or parsed is left out. Either said at WARN.
     */
    <T> Map<String, T> readAll(ObjectMapper json, Class<T> type) {
        Map<String, T> found = new LinkedHashMap<>();
        for (String name : records().map(List::copyOf).orElse(List.of())) {
            try {
                Optional<byte[]> content = read(name);
                if (content.isPresent()) {
                    found.put(name, json.readValue(content.get(), type));
                }
            } catch (SnapshotFailure | IOException e) {
                LOG.warnf("The record %s of the %s could not be read: %s", store.uri(folder.get() + name), what,
                        e.getMessage());
            }
        }
        return found;
    }

    /** The record {@code name}'s content, or empty when it is gone. */
    Optional<byte[]> read(String name) throws SnapshotFailure, IOException {
        Optional<InputStream> opened = store.openIfPresent(folder.get() + name);
        if (opened.isEmpty()) {
            return Optional.empty();
        }
        try (InputStream in = opened.get()) {
            byte[] content = in.readNBytes(MAX_RECORD + 1);
            if (content.length > MAX_RECORD) {
                throw new IOException(store.uri(folder.get() + name) + " is larger than a record (" + MAX_RECORD
                        + " bytes)");
            }
            return Optional.of(content);
        }
    }
}
