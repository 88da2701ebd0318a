package dev.snapshotter.snapshot;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Every meter this service publishes. Tags are bounded: target, reason and status, never names or paths. Names
 * are Micrometer's dotted form; Prometheus shows {@code snapshotter_runs_total}, {@code
 * snapshotter_duration_seconds}, {@code snapshotter_size_bytes}, {@code
 * snapshotter_last_success_timestamp_seconds} and {@code snapshotter_in_progress}.
 */
@ApplicationScoped
public class SnapshotMetrics {

    static final String RUNS = "snapshotter.runs";
    static final String DURATION = "snapshotter.duration";
    static final String SIZE = "snapshotter.size";
    static final String LAST_SUCCESS = "snapshotter.last.success.timestamp";
    static final String IN_PROGRESS = "snapshotter.in.progress";
    static final String TAG_TARGET = "target";
    static final String TAG_REASON = "reason";
    static final String TAG_STATUS = "status";

    private final MeterRegistry registry;
    private final Map<String, TargetGauges> gauges = new ConcurrentHashMap<>();

    SnapshotMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    private record TargetGauges(AtomicLong size, AtomicLong lastSuccess, AtomicLong inProgress) {
    }

    /** Publishes a target's series at zero, so dashboards and staleness alerts see them before the first run. */
    void register(String target) {
        TargetGauges g = gauges(target);
        // Micrometer's global composite keeps a gauge bound to the object it was first given, across application
        // restarts inside one JVM (as in tests); drop any such gauge so ours reads this instance's values
        for (String name : new String[] { SIZE, LAST_SUCCESS, IN_PROGRESS }) {
            registry.find(name).tag(TAG_TARGET, target).meters().forEach(registry::remove);
        }
        Gauge.builder(SIZE, g.size(), AtomicLong::get).tag(TAG_TARGET, target).baseUnit("bytes")
                .description("Size of the last verified snapshot").register(registry);
        Gauge.builder(LAST_SUCCESS, g.lastSuccess(), AtomicLong::get).tag(TAG_TARGET, target).baseUnit("seconds")
                .description("Unix time of the last verified snapshot (0 until one succeeds)").register(registry);
        Gauge.builder(IN_PROGRESS, g.inProgress(), AtomicLong::get).tag(TAG_TARGET, target)
                .description("1 while a snapshot of this target runs").register(registry);
        for (SnapshotReport.Reason reason : SnapshotReport.Reason.values()) {
            for (SnapshotReport.Status status : SnapshotReport.Status.values()) {
                runs(target, reason, status);
            }
        }
    }

    void started(String target) {
        gauges(target).inProgress().set(1);
    }

    void finished(String target, SnapshotReport.Reason reason, SnapshotReport.Status status, Duration duration,
            long bytes) {
        runs(target, reason, status).increment();
        Timer.builder(DURATION).tags(TAG_TARGET, target, TAG_REASON, reason.label(), TAG_STATUS, status.label())
                .description("How long a snapshot run took").register(registry).record(duration);
        TargetGauges g = gauges(target);
        if (status == SnapshotReport.Status.COMPLETED) {
            g.size().set(bytes);
            g.lastSuccess().set(System.currentTimeMillis() / 1000);
        }
        g.inProgress().set(0);
    }

    private TargetGauges gauges(String target) {
        return gauges.computeIfAbsent(target,
                t -> new TargetGauges(new AtomicLong(), new AtomicLong(), new AtomicLong()));
    }

    private Counter runs(String target, SnapshotReport.Reason reason, SnapshotReport.Status status) {
        return Counter.builder(RUNS).tags(TAG_TARGET, target, TAG_REASON, reason.label(), TAG_STATUS, status.label())
                .description("Snapshot runs by outcome").register(registry);
    }
}
