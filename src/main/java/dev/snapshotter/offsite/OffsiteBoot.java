package dev.snapshotter.offsite;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

import dev.snapshotter.config.RunMode;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * At boot, with {@code QDRANT_SNAPSHOT_S3_BUCKET} set: proves on a worker thread that the bucket takes our writes
 * (a marker written and deleted under the prefix), then copies off-site what is missing there (and, with
 * {@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false}, removes locally what is confirmed there). Until the probe
 * passes, {@link #problem()} says why and readiness is DOWN; while it fails it is tried again, at most every
 * {@link #RETRY}, when readiness is asked. Not in a command ({@link RunMode}): {@code list} and {@code restore} write
 * nothing they were not asked to.
 */
@ApplicationScoped
public class OffsiteBoot {

    private static final Logger LOG = Logger.getLogger(OffsiteBoot.class);
    static final Duration RETRY = Duration.ofSeconds(10);

    private final S3Store store;
    private final OffsiteCopies copies;
    private final ManagedExecutor executor;
    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile String problem = "the bucket has not been probed yet";
    private volatile Instant probedAt = Instant.EPOCH;
    private volatile boolean caughtUp;
    private volatile boolean stopping;

    OffsiteBoot(S3Store store, OffsiteCopies copies, ManagedExecutor executor) {
        this.executor = executor;
        this.store = store;
        this.copies = copies;
    }

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_AFTER) StartupEvent event) {
        if (store.enabled() && !RunMode.isCommand()) {
            probeInBackground();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    /** Why the bucket is not usable, or null when the last probe (or copy) found it so. */
    public String problem() {
        String standing = problem;
        if (standing != null && Duration.between(probedAt, Instant.now()).compareTo(RETRY) >= 0) {
            probeInBackground();
        }
        return standing;
    }

    private void probeInBackground() {
        if (!probing.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(this::probe);
        } catch (RejectedExecutionException e) {
            probing.set(false); // shutting down: the problem stands as last found
        }
    }

    private void probe() {
        try {
            String found = store.probe();
            probedAt = Instant.now();
            if (found != null) {
                if (!found.equals(problem)) {
                    LOG.errorf("The off-site bucket is not usable (readiness is DOWN until it is): %s", found);
                }
                problem = found;
                return;
            }
            if (problem != null) {
                LOG.infof("The off-site bucket %s takes our writes", store.uri(store.root()));
            }
            problem = null;
            if (!caughtUp) {
                caughtUp = true;
                List<String> remarks = new ArrayList<>();
                List<String> copied = copies.catchUpAtBoot(() -> stopping, remarks);
                if (!copied.isEmpty() || !remarks.isEmpty()) {
                    LOG.infof("Off-site catch-up at boot: %d snapshot(s) copied%s", copied.size(),
                            remarks.isEmpty() ? "" : "; " + String.join("; ", remarks));
                }
            }
        } catch (RuntimeException e) {
            problem = "the probe failed: " + e;
            probedAt = Instant.now();
        } finally {
            probing.set(false);
        }
    }
}
