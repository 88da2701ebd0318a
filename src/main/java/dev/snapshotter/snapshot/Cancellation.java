package dev.snapshotter.snapshot;

import java.util.ArrayList;
import java.util.List;

/**
 * How shutdown stops a run that is blocked in a call: the run's thread is interrupted, and what the target
 * registered (an open download, say) is closed, so that a blocked socket read fails at once. After that, the run
 * unwinds through its ordinary failure path, which removes its temporary files.
 */
public final class Cancellation {

    private final Thread runner = Thread.currentThread();
    private final List<Runnable> actions = new ArrayList<>();
    private boolean cancelled;

    /** Runs {@code action} on cancellation, at once if the run is already cancelled. */
    public void onCancel(Runnable action) {
        boolean now;
        synchronized (this) {
            now = cancelled;
            if (!now) {
                actions.add(action);
            }
        }
        if (now) {
            action.run();
        }
    }

    /** Forgets {@code action}: what it would close is closed or no longer in use. */
    public synchronized void forget(Runnable action) {
        actions.remove(action);
    }

    public synchronized boolean cancelled() {
        return cancelled;
    }

    void cancel() {
        List<Runnable> pending;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            pending = List.copyOf(actions);
            actions.clear();
        }
        pending.forEach(action -> {
            try {
                action.run();
            } catch (RuntimeException e) {
                // the run fails either way
            }
        });
        runner.interrupt();
    }
}
