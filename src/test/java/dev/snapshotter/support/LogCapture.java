package dev.snapshotter.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.ExtLogRecord;

import io.quarkus.runtime.Application;
import io.quarkus.test.common.PropertyTestUtil;

/** Collects every log line the app in this JVM writes, formatted, while installed. */
public final class LogCapture extends Handler implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();

    private LogCapture() {
    }

    public static LogCapture install() {
        LogCapture capture = new LogCapture();
        Logger.getLogger("").addHandler(capture);
        return capture;
    }

    @Override
    public void publish(LogRecord record) {
        String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        StringBuilder line = new StringBuilder(record.getLevel() + " " + record.getLoggerName() + " " + message);
        for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
            line.append(" | ").append(t);
        }
        lines.add(line.toString());
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    /**
     * What the app logged: in this JVM, the lines captured; against the packaged app, which logs in its own process
     * (nothing is captured here), every line of its log file. Not the file when the app runs here: one that a run of
     * the packaged app left in {@code target/} would stand in for lines never captured.
     */
    public List<String> appLines() {
        if (!lines.isEmpty() || Application.currentApplication() != null) {
            return lines();
        }
        try {
            return Files.readAllLines(PropertyTestUtil.getLogFilePath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }
}
