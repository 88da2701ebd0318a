package dev.snapshotter.offsite;

/**
 * How one file goes up as a multipart upload: the part size, the number of parts and how many are sent at once. The
 * configured part size serves until a file would need more than the 10,000 parts S3 takes in one upload; a larger file
 * gets the smallest whole number of MiB per part that fits, and fewer parts in flight when their buffers would take
 * more than half the heap.
 */
record PartPlan(long partSize, int parts, int concurrency) {

    /** S3's limit on the parts of one upload. */
    static final int MAX_PARTS = 10_000;
    /** S3's limit on one object: 5 TiB. */
    static final long MAX_OBJECT = 5L << 40;
    private static final long MIB = 1L << 20;

    /** The plan for {@code size} bytes; {@code heap} is the most memory the part buffers may share (half is used). */
    static PartPlan of(long size, long configuredPartSize, int configuredConcurrency, long heap) {
        long fitting = (size + MAX_PARTS - 1) / MAX_PARTS;
        long partSize = Math.max(configuredPartSize, (fitting + MIB - 1) / MIB * MIB);
        int parts = (int) Math.max(1, (size + partSize - 1) / partSize);
        long buffer = Math.min(partSize, Math.max(1, size));
        int concurrency = (int) Math.max(1, Math.min(Math.min(configuredConcurrency, parts), heap / 2 / buffer));
        return new PartPlan(partSize, parts, concurrency);
    }

    /** Whether this plan differs from what the settings say, for a line in the log. */
    boolean adjusted(long configuredPartSize, int configuredConcurrency) {
        return partSize != configuredPartSize || concurrency < Math.min(configuredConcurrency, parts);
    }
}
