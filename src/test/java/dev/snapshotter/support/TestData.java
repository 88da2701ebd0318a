package dev.snapshotter.support;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/**
 * Bytes the tests snapshot (sound Qdrant snapshot archives), the same for the same size, and their SHA-256 as Qdrant and
 * sha256sum write it.
 */
public final class TestData {

    private TestData() {
    }

    public static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    /** A sound Qdrant collection snapshot (one shard) whose segment holds {@code dataBytes} random bytes. */
    public static byte[] snapshot(int dataBytes) {
        return SnapshotArchiveBuilder.snapshot(dataBytes);
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A file's bytes, for tests that compare what was copied. */
    public static byte[] read(java.nio.file.Path file) {
        try {
            return java.nio.file.Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
