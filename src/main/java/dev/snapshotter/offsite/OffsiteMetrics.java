package dev.snapshotter.offsite;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The off-site copy's series, published at zero from boot when {@code QDRANT_SNAPSHOT_S3_BUCKET} is set:
 * {@code snapshotter_offsite_last_success_timestamp_seconds} (when the newest snapshot confirmed off-site was taken),
 * {@code snapshotter_offsite_bytes_total} (bytes uploaded), {@code snapshotter_offsite_pending} (verified local
 * snapshots not off-site yet), {@code snapshotter_offsite_pruned_versions_kept} (1 while pruned backups stay stored
 * as versions that no lifecycle rule expires), {@code snapshotter_offsite_failing_verification} (backups only
 * off-site that the last integrity check found failing) and {@code snapshotter_offsite_healed_total} (local copies
 * that failed their re-read, replaced by their off-site copies).
 */
@ApplicationScoped
public class OffsiteMetrics {

    static final String LAST_SUCCESS = "snapshotter.offsite.last.success.timestamp";
    static final String BYTES = "snapshotter.offsite.bytes";
    static final String PENDING = "snapshotter.offsite.pending";
    static final String PRUNED_KEPT = "snapshotter.offsite.pruned.versions.kept";
    static final String FAILING_VERIFICATION = "snapshotter.offsite.failing.verification";
    static final String HEALED = "snapshotter.offsite.healed";

    private final AtomicLong lastSuccess = new AtomicLong();
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong prunedKept = new AtomicLong();
    private final AtomicLong failingVerification = new AtomicLong();
    private final Counter bytes;
    private final Counter healed;
    private final MeterRegistry registry;
    private final List<Meter> gauges;

    OffsiteMetrics(MeterRegistry registry, S3Store store) {
        this.registry = registry;
        if (!store.enabled()) {
            bytes = null;
            healed = null;
            gauges = List.of();
            return;
        }
        // the gauges read this instance: they leave the registry with it, which outlives the application (a
        // dev-mode reload starts a new one in the same JVM)
        gauges = List.of(Gauge.builder(LAST_SUCCESS, lastSuccess, AtomicLong::get).baseUnit("seconds")
                .description("Unix time the newest snapshot confirmed off-site was taken (0 until one is)")
                .register(registry),
                Gauge.builder(PENDING, pending, AtomicLong::get)
                        .description("Verified local snapshots not yet copied off-site").register(registry),
                Gauge.builder(PRUNED_KEPT, prunedKept, AtomicLong::get)
                        .description("1 when the last off-site pruning found that pruned backups stay stored as "
                                + "noncurrent versions no lifecycle rule expires (0 otherwise)")
                        .register(registry),
                Gauge.builder(FAILING_VERIFICATION, failingVerification, AtomicLong::get)
                        .description("Backups only off-site that the last integrity check that read them found "
                                + "failing verification (0 before one, or without QDRANT_SNAPSHOT_VERIFY_OFFSITE)")
                        .register(registry));
        bytes = Counter.builder(BYTES).baseUnit("bytes").description("Bytes of snapshots uploaded off-site")
                .register(registry);
        healed = Counter.builder(HEALED).description("Backups whose local copy failed its re-read (of a set, a "
                + "member's) and was replaced by its off-site copy, fetched and verified").register(registry);
    }

    @PreDestroy
    void unbind() {
        gauges.forEach(registry::remove);
    }

    /** What the last check after an off-site pruning found: pruned backups stay stored, or they do not. */
    void prunedVersionsKept(boolean kept) {
        prunedKept.set(kept ? 1 : 0);
    }

    /** What the last integrity check that read the backups only off-site found failing. */
    public void failingVerification(int count) {
        failingVerification.set(count);
    }

    void pending(int count) {
        pending.set(count);
    }

    /** A snapshot taken at {@code createdAt} is confirmed off-site. */
    void confirmed(Instant createdAt) {
        lastSuccess.accumulateAndGet(createdAt.getEpochSecond(), Math::max);
    }

    /** A backup whose local copy rotted was healed: its off-site copy, verified, took its place. */
    void healed() {
        if (healed != null) {
            healed.increment();
        }
    }

    void uploaded(long size, Instant createdAt) {
        if (bytes != null) {
            bytes.increment(size);
        }
        confirmed(createdAt);
    }
}
