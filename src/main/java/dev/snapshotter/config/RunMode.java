package dev.snapshotter.config;

/**
 * Whether this process runs a one-shot command ({@code list}, {@code restore}) rather than the service; the
 * executable's entry point says so before Quarkus starts. A command does what it was asked and nothing else: the
 * service's own work at boot (the off-site probe, which writes a marker in the bucket, and the catch-up, which uploads
 * and, with {@code QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false}, removes local files) waits for the service.
 */
public final class RunMode {

    private static volatile boolean command;

    private RunMode() {
    }

    /** This process runs a command: called once, before Quarkus starts. */
    public static void command() {
        command = true;
    }

    public static boolean isCommand() {
        return command;
    }
}
