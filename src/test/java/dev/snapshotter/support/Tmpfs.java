package dev.snapshotter.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted over a directory, for real "disk full" and "read-only file system" errors from the kernel.
 * Needs the right to mount (root with CAP_SYS_ADMIN, as on our CI machines); {@link #permitted()} tells.
 */
public final class Tmpfs implements AutoCloseable {

    private static Boolean permitted;
    private final Path mountPoint;

    private Tmpfs(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    /** Whether this machine lets the tests mount a tmpfs (tried once on a scratch directory). */
    public static synchronized boolean permitted() {
        if (permitted == null) {
            try {
                Path scratch = Files.createTempDirectory("tmpfs-probe-");
                permitted = run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", scratch.toString()) == 0
                        && run("umount", scratch.toString()) == 0;
                Files.deleteIfExists(scratch);
            } catch (IOException e) {
                permitted = false;
            }
        }
        return permitted;
    }

    /** Mounts a tmpfs of {@code size} (such as {@code 4m}) over {@code directory}, hiding what it held. */
    public static Tmpfs mount(Path directory, String size) {
        check(run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0755", "tmpfs", directory.toString()),
                "mount tmpfs on " + directory);
        return new Tmpfs(directory);
    }

    /** The kernel refuses every write from now on, root's too. */
    public void remountReadOnly() {
        check(run("mount", "-o", "remount,ro", mountPoint.toString()), "remount " + mountPoint + " read-only");
    }

    @Override
    public void close() {
        check(run("umount", mountPoint.toString()), "umount " + mountPoint);
    }

    private static void check(int exit, String what) {
        if (exit != 0) {
            throw new IllegalStateException("Could not " + what + " (exit " + exit + ")");
        }
    }

    private static int run(String... command) {
        try {
            Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return -1;
            }
            new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return process.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
