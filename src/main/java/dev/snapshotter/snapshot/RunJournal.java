package dev.snapshotter.snapshot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.snapshotter.store.SnapshotDirectory;
import dev.snapshotter.store.SnapshotFileWriter;

/**
 * The last {@value #KEPT} finished runs, newest first, kept in memory and in {@code QDRANT_SNAPSHOT_DIR/.runs.journal}
 * (one JSON object per line, rewritten whole and atomically at each run's start and end), so a restart keeps the
 * history. A run is journaled as {@code running} when it starts: one a restart finds so never ended (the process was
 * killed, evicted, or crashed during it) and is listed as failed, saying so, rather than vanish from the history its
 * caller polls. A journal that cannot be read or written is a warning, never a failed run.
 */
@ApplicationScoped
public class RunJournal {

    static final int KEPT = 50;
    private static final String INTERRUPTED = "The process stopped during this run (killed, evicted, out of memory, or a "
            + "shutdown that did not wait for its end): it did not end and made no report";
    private static final String INTERRUPTED_SNAPSHOT = "; a snapshot it was taking was not published (a run publishes "
            + "nothing it did not finish), and the files it was writing were removed at the next boot";
    private static final String INTERRUPTED_RESTORE = "; a restore stopped so may have left its target collection "
            + "holding part of the backup: check it, or restore again with overwrite (a drill's scratch collection is "
            + "dropped by the service)";
    private static final String INTERRUPTED_UPLOAD = "; it was restoring %s into collection `%s`, which it may have "
            + "left holding part of that backup: check it, or restore again with overwrite";
    private static final Logger LOG = Logger.getLogger(RunJournal.class);

    private final SnapshotDirectory directory;
    private final Instance<ObjectMapper> json;
    private Deque<RunView> finished;
    /** The runs the journal had going when this process read it first: a process that stopped during them. */
    private final List<RunView> stoppedDuring = new ArrayList<>();

    RunJournal(SnapshotDirectory directory, Instance<ObjectMapper> json) {
        this.directory = directory;
        this.json = json;
    }

    /** The finished runs, newest first. */
    synchronized List<RunView> finished() {
        return List.copyOf(loaded());
    }

    /**
     * Journals {@code run}: as going when it starts (see the class comment), as it ended when it ends, in place of its
     * entry as going.
     */
    synchronized void add(RunView run) {
        add(run, null);
    }

    /** Journals {@code run} as {@link #add(RunView)} does, in place of run {@code replaced} too (when not null). */
    synchronized void add(RunView run, String replaced) {
        Deque<RunView> runs = loaded();
        runs.removeIf(view -> view.id().equals(run.id()) || view.id().equals(replaced));
        runs.addFirst(run);
        while (runs.size() > KEPT) {
            runs.removeLast();
        }
        write(runs);
    }

    /**
     * The restores a process stopped during once they had begun their upload (as the journal had them going when this
     * process read it): each names its snapshot ({@link RunView#file}) and the collection it was restoring into.
     */
    public synchronized List<RunView> interruptedRestores() {
        loaded();
        return stoppedDuring.stream().filter(run -> run.collection() != null && run.file() != null).toList();
    }

    private void write(Deque<RunView> runs) {
        Path file = null;
        try {
            file = directory.path().resolve(SnapshotDirectory.RUN_JOURNAL);
            StringBuilder lines = new StringBuilder();
            List<RunView> oldestFirst = new ArrayList<>(runs);
            Collections.reverse(oldestFirst);
            for (RunView view : oldestFirst) {
                lines.append(json.get().writeValueAsString(view)).append('\n');
            }
            directory.writer().writeAtomically(file, lines.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            LOG.warnf("Could not write the run journal %s: %s", file, e instanceof IOException io
                    ? SnapshotFileWriter.reason(io)
                    : e.toString());
        }
    }

    private Deque<RunView> loaded() {
        if (finished != null) {
            return finished;
        }
        Path file;
        try {
            file = directory.path().resolve(SnapshotDirectory.RUN_JOURNAL);
        } catch (IllegalStateException e) {
            return new ArrayDeque<>(); // before boot prepared the directory: read it later
        }
        finished = new ArrayDeque<>();
        boolean interrupted = false;
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    try {
                        RunView run = json.get().readValue(line, RunView.class);
                        if ("running".equals(run.status())) {
                            stoppedDuring.add(run);
                            run = interrupted(run);
                            interrupted = true;
                        }
                        finished.addFirst(run);
                    } catch (IOException e) {
                        LOG.warnf("Skipping an unreadable line of the run journal %s", file);
                    }
                }
            }
        } catch (NoSuchFileException e) {
            // no run finished yet here
        } catch (IOException | UncheckedIOException e) {
            LOG.warnf("The run journal %s is unreadable (%s); starting a new one", file, e.getMessage());
        }
        while (finished.size() > KEPT) {
            finished.removeLast();
        }
        if (interrupted) {
            write(finished); // said once
        }
        return finished;
    }

    /**
     * Whether {@code run} is listed as a process stopped during it ({@link #interrupted}): failed, never finished, and
     * without a report. A run going in this process is listed {@code running}; one that ended has its end.
     */
    public static boolean stoppedDuring(RunView run) {
        return "failed".equals(run.status()) && run.finishedAt() == null && run.report() == null;
    }

    /**
     * A run journaled as going by an earlier process (this one reads the journal before it journals a run), which never
     * ended: failed, saying so (at WARN too).
     */
    private static RunView interrupted(RunView run) {
        String message = INTERRUPTED + (run.collection() != null
                ? INTERRUPTED_UPLOAD.formatted(run.file(), run.collection())
                : SnapshotReport.Reason.RESTORE.label().equals(run.reason()) ? INTERRUPTED_RESTORE
                        : INTERRUPTED_SNAPSHOT);
        LOG.warnf("Run %s (reason %s, started %s) did not end: %s", run.id(), run.reason(), run.startedAt(), message);
        return new RunView(run.id(), run.reason(), "failed", "done", run.startedAt(), null, 0, run.bytesDone(),
                run.bytesExpected(), null, null, null, run.file(), run.collection(), message, null);
    }
}
