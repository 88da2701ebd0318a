package dev.snapshotter.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.snapshotter.store.SnapshotCatalog;
import dev.snapshotter.store.SnapshotDirectory;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;

/**
 * Every meter this service publishes. Tags are bounded: target, reason, status and result, never names or paths.
 * Names are Micrometer's dotted form; Prometheus shows {@code snapshotter_runs_total}, {@code
 * snapshotter_duration_seconds}, {@code snapshotter_size_bytes}, {@code snapshotter_last_success_timestamp_seconds},
 * {@code snapshotter_in_progress}, {@code snapshotter_pruned_total}, {@code snapshotter_verifications_total} and
 * {@code snapshotter_next_scheduled_run_timestamp_seconds}, {@code snapshotter_qdrant_copies_in_doubt} and
 * {@code snapshotter_deletions_total}, {@code snapshotter_directory_free_bytes} and
 * {@code snapshotter_snapshots_failing_verification} and {@code snapshotter_snapshots_unlisted} (read from the file
 * system at each scrape), and
 * {@code snapshotter_last_integrity_check_timestamp_seconds}.
 */
@ApplicationScoped
public class SnapshotMetrics {

    static final String RUNS = "snapshotter.runs";
    static final String DURATION = "snapshotter.duration";
    static final String SIZE = "snapshotter.size";
    static final String LAST_SUCCESS = "snapshotter.last.success.timestamp";
    static final String IN_PROGRESS = "snapshotter.in.progress";
    static final String PRUNED = "snapshotter.pruned";
    static final String VERIFICATIONS = "snapshotter.verifications";
    static final String NEXT_SCHEDULED = "snapshotter.next.scheduled.run.timestamp";
    static final String COPIES_IN_DOUBT = "snapshotter.qdrant.copies.in.doubt";
    static final String AWAITING_COLLECTION = "snapshotter.awaiting.collection";
    static final String DELETIONS = "snapshotter.deletions";
    static final String FREE = "snapshotter.directory.free";
    static final String RUN_BYTES = "snapshotter.run";
    static final String FAILING_VERIFICATION = "snapshotter.snapshots.failing.verification";
    static final String UNLISTED = "snapshotter.snapshots.unlisted";
    static final String LAST_INTEGRITY_CHECK = "snapshotter.last.integrity.check.timestamp";
    static final String TAG_KIND = "kind";
    static final String TAG_RESULT = "result";
    static final String TAG_TARGET = "target";
    static final String TAG_REASON = "reason";
    static final String TAG_STATUS = "status";

    private final MeterRegistry registry;
    private final Map<String, TargetGauges> gauges = new ConcurrentHashMap<>();
    private final List<Meter> bound = new CopyOnWriteArrayList<>();
    private final AtomicLong lastIntegrityCheck = new AtomicLong();

    SnapshotMetrics(MeterRegistry registry, SnapshotDirectory directory, SnapshotCatalog catalog) {
        this.registry = registry;
        registerVerifications();
        bind(Gauge.builder(FREE, directory, SnapshotMetrics::freeBytes).baseUnit("bytes")
                .description("Bytes free for this service on the snapshot directory's volume (NaN before boot has "
                        + "prepared it, or when it cannot be read)"));
        bind(Gauge.builder(FAILING_VERIFICATION, catalog, c -> countOrNaN(c::failingVerification))
                .description("Snapshots and backup sets in the directory marked as failing verification (a re-read "
                        + "that did not match, or could not be read); NaN when the directory cannot be read"));
        bind(Gauge.builder(UNLISTED, catalog, c -> countOrNaN(c::unlistedCount))
                .description("Files and directories in the directory named as backups that nothing vouches for (no "
                        + "readable checksum file; a set without its set.json, a member or a member's checksum file), "
                        + "so never listed, restored, pruned or re-read; NaN when the directory cannot be read"));
        bind(Gauge.builder(LAST_INTEGRITY_CHECK, lastIntegrityCheck, AtomicLong::get).baseUnit("seconds")
                .description("Unix time the last integrity check of the whole directory started, 0 before the first"));
    }

    /** A count the directory is read for at each scrape. */
    @FunctionalInterface
    private interface DirectoryCount {
        int read() throws IOException;
    }

    /** The count, or NaN when the directory cannot be read (or before boot has prepared it). */
    private static double countOrNaN(DirectoryCount count) {
        try {
            return count.read();
        } catch (IOException | IllegalStateException e) {
            return Double.NaN;
        }
    }

    /** An integrity check of the whole directory that started {@code at} has ended. */
    void integrityChecked(Instant at) {
        lastIntegrityCheck.set(at.getEpochSecond());
    }

    /**
     * Registers a gauge that reads this instance. Micrometer's global registry outlives the application (a dev-mode
     * reload starts a new one in the same JVM) and would keep answering a later registration with the gauge bound to
     * this instance, so every gauge leaves with it ({@link #unbind}).
     */
    private void bind(Gauge.Builder<?> gauge) {
        bound.add(gauge.register(registry));
    }

    @PreDestroy
    void unbind() {
        bound.forEach(registry::remove);
    }

    private static double freeBytes(SnapshotDirectory directory) {
        try {
            return Files.getFileStore(directory.path()).getUsableSpace();
        } catch (IOException | IllegalStateException e) {
            return Double.NaN;
        }
    }

    private record TargetGauges(AtomicLong size, AtomicLong lastSuccess, AtomicLong inProgress,
            AtomicLong nextScheduled, AtomicLong copiesInDoubt, AtomicLong awaitingCollection, AtomicLong runDone,
            AtomicLong runExpected) {
    }

    /** Publishes a target's series at zero, so dashboards and staleness alerts see them before the first run. */
    void register(String target) {
        TargetGauges g = gauges(target);
        bind(Gauge.builder(RUN_BYTES, g.runDone(), AtomicLong::get).tags(TAG_TARGET, target, TAG_KIND, "done")
                .baseUnit("bytes").description("Bytes of the run going downloaded so far (kind=done), and the bytes it "
                        + "downloads in all (kind=expected); 0 between runs"));
        bind(Gauge.builder(RUN_BYTES, g.runExpected(), AtomicLong::get).tags(TAG_TARGET, target, TAG_KIND, "expected")
                .baseUnit("bytes").description("Bytes of the run going downloaded so far (kind=done), and the bytes it "
                        + "downloads in all (kind=expected); 0 between runs"));
        bind(Gauge.builder(SIZE, g.size(), AtomicLong::get).tag(TAG_TARGET, target).baseUnit("bytes")
                .description("Size of the last verified snapshot"));
        bind(Gauge.builder(LAST_SUCCESS, g.lastSuccess(), AtomicLong::get).tag(TAG_TARGET, target).baseUnit("seconds")
                .description("Unix time of the last verified snapshot (0 until one succeeds)"));
        bind(Gauge.builder(IN_PROGRESS, g.inProgress(), AtomicLong::get).tag(TAG_TARGET, target)
                .description("1 while a snapshot of this target runs"));
        bind(Gauge.builder(NEXT_SCHEDULED, g.nextScheduled(), AtomicLong::get).tag(TAG_TARGET, target).baseUnit("seconds")
                .description("Unix time of the next scheduled snapshot (0 when there is no schedule)"));
        bind(Gauge.builder(COPIES_IN_DOUBT, g.copiesInDoubt(), AtomicLong::get).tag(TAG_TARGET, target)
                .description("Snapshots left on Qdrant that a create of ours whose answer never came may have made, "
                        + "but that another client may have made too: delete ours by hand"));
        bind(Gauge.builder(AWAITING_COLLECTION, g.awaitingCollection(), AtomicLong::get).tag(TAG_TARGET, target)
                .description("1 while a first deployment awaits its collection: it does not exist on Qdrant yet and "
                        + "no backup of it exists, so there is nothing to back up; 0 otherwise"));
        pruned(target);
        deletions(target);
        for (SnapshotReport.Reason reason : SnapshotReport.Reason.values()) {
            if (!reason.snapshots()) {
                continue;
            }
            for (SnapshotReport.Status status : SnapshotReport.Status.values()) {
                runs(target, reason, status);
            }
        }
    }

    /**
     * The newest verified backup of the collection a run found (an alias resolved), in the directory or off-site: the
     * last success (the moment it was taken, null when there is none) and its size. Published as a run starts and as
     * it completes, so a failed run never moves it.
     */
    void lastSuccess(String target, Instant takenAt, long bytes) {
        TargetGauges g = gauges(target);
        g.lastSuccess().set(takenAt == null ? 0 : takenAt.getEpochSecond());
        g.size().set(bytes);
    }

    /** How many of Qdrant's snapshots are left there in doubt (see QdrantCopies#reconcile). */
    void copiesInDoubt(String target, int copies) {
        gauges(target).copiesInDoubt().set(copies);
    }

    /** Whether a first deployment awaits its collection (see QdrantSnapshotTarget#awaitingCollection). */
    void awaitingCollection(String target, boolean awaiting) {
        gauges(target).awaitingCollection().set(awaiting ? 1 : 0);
    }

    /** A snapshot deleted through the API. */
    void onDeleted(@Observes SnapshotCatalog.Deleted deletion) {
        deletions(QdrantSnapshotTarget.NAME).increment();
    }

    private Counter deletions(String target) {
        return Counter.builder(DELETIONS).tag(TAG_TARGET, target)
                .description("Snapshot files deleted through DELETE /api/snapshots/{file}").register(registry);
    }

    /** The schedule's next fire time, or null when there is none. */
    void nextScheduled(String target, Instant next) {
        gauges(target).nextScheduled().set(next == null ? 0 : next.getEpochSecond());
    }

    /** One re-read of a stored snapshot: {@code ok} or {@code mismatch}. */
    void onVerified(@Observes SnapshotCatalog.Verification verification) {
        verifications(verification.verified()).increment();
    }

    /** Publishes the verification series at zero. */
    void registerVerifications() {
        verifications(true);
        verifications(false);
    }

    private Counter verifications(boolean ok) {
        return Counter.builder(VERIFICATIONS).tag(TAG_RESULT, ok ? "ok" : "mismatch")
                .description("Re-reads of stored snapshots against their checksum files").register(registry);
    }

    private Counter pruned(String target) {
        return Counter.builder(PRUNED).tag(TAG_TARGET, target)
                .description("Snapshot files deleted by retention").register(registry);
    }

    void started(String target) {
        TargetGauges g = gauges(target);
        g.runDone().set(0);
        g.runExpected().set(0);
        g.inProgress().set(1);
    }

    /** The run of {@code target} will download {@code bytes} more (one snapshot; a set's members add up). */
    void expect(String target, long bytes) {
        gauges(target).runExpected().addAndGet(Math.max(0, bytes));
    }

    /** What the run of {@code target} downloaded so far ({@code done}), or will in all. */
    long runBytes(String target, boolean done) {
        TargetGauges g = gauges(target);
        return done ? g.runDone().get() : g.runExpected().get();
    }

    /** The run of {@code target} downloaded {@code bytes} more. */
    void downloaded(String target, long bytes) {
        gauges(target).runDone().addAndGet(bytes);
    }

    void finished(String target, SnapshotReport.Reason reason, SnapshotReport.Status status, Duration duration,
            int prunedFiles) {
        runs(target, reason, status).increment();
        pruned(target).increment(prunedFiles);
        Timer.builder(DURATION).tags(TAG_TARGET, target, TAG_REASON, reason.label(), TAG_STATUS, status.label())
                .description("How long a snapshot run took").register(registry).record(duration);
        TargetGauges g = gauges(target);
        g.inProgress().set(0);
        g.runDone().set(0);
        g.runExpected().set(0);
    }

    /**
     * Keeps {@code /q/metrics} clean for {@code promtool check metrics}, in the text format Prometheus negotiates:
     * standard meters that break Prometheus's rules are dropped ({@code process_cpu_time_ns_total}: an abbreviated
     * unit, and {@code process_cpu_usage} says the same; {@code system_cpu_count}: a gauge named like a summary's
     * count; {@code http_server_connections_seconds}: a long-task timer written as a summary without its samples,
     * and {@code http_server_active_connections} says the same), and the one HTTP server meter Vert.x registers
     * without a description gets one.
     */
    @Produces
    @Singleton
    MeterFilter promtoolClean() {
        Map<String, String> descriptions = Map.of("http.server.active.requests", "HTTP requests being served now");
        Set<String> dropped = Set.of("process.cpu.time", "system.cpu.count", "http.server.connections");
        return new MeterFilter() {
            @Override
            public MeterFilterReply accept(Meter.Id id) {
                return dropped.contains(id.getName()) ? MeterFilterReply.DENY
                        : MeterFilterReply.NEUTRAL;
            }

            @Override
            public Meter.Id map(Meter.Id id) {
                String description = descriptions.get(id.getName());
                return description != null && (id.getDescription() == null || id.getDescription().isBlank())
                        ? new Meter.Id(id.getName(), Tags.of(id.getTags()), id.getBaseUnit(), description, id.getType())
                        : id;
            }
        };
    }

    private TargetGauges gauges(String target) {
        return gauges.computeIfAbsent(target,
                t -> new TargetGauges(new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong(),
                        new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong()));
    }

    private Counter runs(String target, SnapshotReport.Reason reason, SnapshotReport.Status status) {
        return Counter.builder(RUNS).tags(TAG_TARGET, target, TAG_REASON, reason.label(), TAG_STATUS, status.label())
                .description("Snapshot runs by outcome").register(registry);
    }
}
