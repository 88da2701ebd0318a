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
 * (one JSON object per line, rewritten whole and atomically at each run's end), so a restart keeps the history. A
 * journal that cannot be read or written is a warning, never a failed run.
 */
@ApplicationScoped
public class RunJournal {

    static final int KEPT = 50;
    private static final Logger LOG = Logger.getLogger(RunJournal.class);

    private final SnapshotDirectory directory;
    private final Instance<ObjectMapper> json;
    private Deque<RunView> finished;

    RunJournal(SnapshotDirectory directory, Instance<ObjectMapper> json) {
        this.directory = directory;
        this.json = json;
    }

    /** The finished runs, newest first. */
    synchronized List<RunView> finished() {
        return List.copyOf(loaded());
    }

    synchronized void add(RunView run) {
        Deque<RunView> runs = loaded();
        runs.addFirst(run);
        while (runs.size() > KEPT) {
            runs.removeLast();
        }
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
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    try {
                        finished.addFirst(json.get().readValue(line, RunView.class));
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
        return finished;
    }
}
