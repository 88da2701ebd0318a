package dev.snapshotter.snapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import dev.snapshotter.config.Schedule;

import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import io.quarkus.scheduler.Scheduler;

/**
 * Puts work that a {@link Schedule} paces on Quarkus's scheduler, one firing at a time: a cron expression fires as
 * written; {@code every <duration>} is due one interval after the last time the work's own record gives (at once when
 * there is none or it is overdue), looked at each second once the boot has settled, so that restarts neither skip nor
 * repeat it. Restore drills and integrity checks are paced so; snapshot runs have rules of their own
 * ({@link ScheduledSnapshots}).
 */
public final class Cadence {

    private static final Logger LOG = Logger.getLogger(Cadence.class);

    private Cadence() {
    }

    /**
     * @param job the scheduler's name for it
     * @param what what it is, in the log line of its next time ({@code integrity check})
     * @param last the last time it ran, from its record
     * @param boot nothing fires before its boot snapshot has settled ({@code every} form)
     */
    public static void schedule(Scheduler scheduler, String job, Schedule schedule, String what,
            Supplier<Optional<Instant>> last, BootSnapshot boot, Runnable work) {
        if (schedule.cron() != null) {
            scheduler.newJob(job).setCron(schedule.cron()).setConcurrentExecution(ConcurrentExecution.SKIP)
                    .setTask(execution -> work.run()).schedule();
            return;
        }
        AtomicReference<Instant> due = new AtomicReference<>();
        scheduler.newJob(job).setInterval("1s").setConcurrentExecution(ConcurrentExecution.SKIP).setTask(execution -> {
            if (boot.result().isEmpty()) {
                return;
            }
            Instant now = Instant.now();
            if (due.get() == null) {
                due.set(dueAfter(last.get(), schedule.every(), now));
                LOG.infof("Next %s at %s", what, due.get());
            }
            if (now.isBefore(due.get())) {
                return;
            }
            work.run();
            due.set(Instant.now().plus(schedule.every()));
            LOG.infof("Next %s at %s", what, due.get());
        }).schedule();
    }

    /** The longest wait between two tries of {@link #untilDone} work. */
    static final Duration RETRY_MAX = Duration.ofHours(1);

    /**
     * Puts clean-up work that the boot leaves for later on the scheduler: it runs once the boot has settled (Qdrant is
     * not waited for when the boot snapshot is off), and again while it reports not done, after {@code firstWait}, the
     * wait doubling up to {@link #RETRY_MAX} (a Qdrant gone for good is not asked each minute for ever). Nothing runs
     * once shutdown has begun ({@code stopping}).
     *
     * @param work runs the work; true once nothing of it is left
     */
    public static void untilDone(Scheduler scheduler, String job, BootSnapshot boot, BooleanSupplier stopping,
            Duration firstWait, BooleanSupplier work) {
        untilDone(scheduler, job, boot, stopping, firstWait, RETRY_MAX, work);
    }

    /**
     * {@link #untilDone(Scheduler, String, BootSnapshot, BooleanSupplier, Duration, BooleanSupplier)}, the wait
     * doubling up to {@code maxWait}.
     */
    public static void untilDone(Scheduler scheduler, String job, BootSnapshot boot, BooleanSupplier stopping,
            Duration firstWait, Duration maxWait, BooleanSupplier work) {
        AtomicReference<Instant> next = new AtomicReference<>(Instant.EPOCH);
        AtomicReference<Duration> wait = new AtomicReference<>(firstWait);
        scheduler.newJob(job).setInterval("1s").setConcurrentExecution(ConcurrentExecution.SKIP).setTask(execution -> {
            if (boot.result().isEmpty() || stopping.getAsBoolean() || Instant.now().isBefore(next.get())) {
                return;
            }
            if (work.getAsBoolean()) {
                scheduler.unscheduleJob(job);
                return;
            }
            Duration now = wait.get();
            next.set(Instant.now().plus(now));
            wait.set(doubled(now, maxWait));
        }).schedule();
    }

    /** The wait after {@code wait} in a row of tries: twice as long, at most {@code max}. */
    static Duration doubled(Duration wait, Duration max) {
        Duration twice = wait.multipliedBy(2);
        return twice.compareTo(max) > 0 ? max : twice;
    }

    /** One interval after {@code last}, or {@code now} when there is none or it is overdue. */
    static Instant dueAfter(Optional<Instant> last, Duration every, Instant now) {
        return last.map(at -> at.plus(every)).filter(at -> at.isAfter(now)).orElse(now);
    }
}
