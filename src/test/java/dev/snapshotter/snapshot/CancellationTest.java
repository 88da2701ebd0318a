package dev.snapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cancelling a run never interrupts the thread running it: that thread may be a shared worker of the HTTP server,
 * where the interrupt would outlive the run, and an interrupted thread cannot write a file (its channel closes), so
 * the ledger written after a cancel would be lost.
 */
class CancellationTest {

    @TempDir
    Path directory;

    @Test
    void cancelsWithoutInterruptingTheRunsThread() throws Exception {
        Cancellation[] made = new Cancellation[1];
        CountDownLatch created = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicBoolean sawCancel = new AtomicBoolean();
        Path ledger = directory.resolve("ledger.json");
        Thread runner = new Thread(() -> {
            made[0] = new Cancellation();
            created.countDown();
            try {
                cancelled.await();
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
            sawCancel.set(made[0].cancelled());
            interrupted.compareAndSet(false, Thread.currentThread().isInterrupted());
            // what the run writes after a cancel (the ledger): an interrupted thread's file channel closes at once
            try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(ledger,
                    java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
                channel.write(java.nio.ByteBuffer.wrap("{}".getBytes()));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        runner.start();
        assertThat(created.await(5, TimeUnit.SECONDS)).isTrue();

        made[0].cancel(Cancellation.SHUTDOWN);
        cancelled.countDown();
        runner.join(5000);

        assertThat(sawCancel).isTrue();
        assertThat(interrupted).isFalse();
        assertThat(Files.readString(ledger)).isEqualTo("{}");
    }

    /** Once work says a cancel would stop nothing, a cancel is refused with its reason, not taken and ignored. */
    @Test
    void aCancelOnceTheRunCanNoLongerBeStoppedIsRefusedWithTheReason() throws Exception {
        Cancellation cancellation = new Cancellation();
        cancellation.noLongerStoppable("Qdrant has it whole");

        assertThatThrownBy(() -> cancellation.cancel(Cancellation.API)).isInstanceOf(Cancellation.TooLate.class)
                .hasMessage("Qdrant has it whole");
        assertThat(cancellation.cancelled()).isFalse();
    }

    /** A cancel taken before the point of no return stays taken. */
    @Test
    void aCancelTakenBeforeStaysTaken() throws Exception {
        Cancellation cancellation = new Cancellation();
        cancellation.cancel(Cancellation.SHUTDOWN);
        cancellation.noLongerStoppable("Qdrant has it whole");

        cancellation.cancel(Cancellation.API);
        assertThat(cancellation.cancelled()).isTrue();
        assertThat(cancellation.by()).isEqualTo(Cancellation.SHUTDOWN);
    }
}
