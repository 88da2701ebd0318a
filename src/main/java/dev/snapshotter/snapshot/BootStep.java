package dev.snapshotter.snapshot;

/**
 * Work the boot does before its snapshot (a restore of a missing collection), once Qdrant is ready, under the boot's
 * single-flight slot, before {@code /q/health/started} goes UP. At most one such bean; none by default.
 */
public interface BootStep {

    /** Whether this deployment asks for the step at all. */
    boolean enabled();

    /**
     * Runs the step once.
     *
     * @param slot the boot's single-flight slot, held for the step
     * @return what it did, or null when it had nothing to do (the boot goes on as without it)
     * @throws NotYet when it could not tell what to do, having done nothing: the boot tries it again later
     */
    Outcome run(SnapshotService.Run slot) throws NotYet;

    /** The step could not tell what to do (Qdrant failed the look it needed) and did nothing; {@code why} says so. */
    final class NotYet extends Exception {

        public NotYet(String why) {
            super(why);
        }
    }

    /**
     * What the step did: a boot snapshot is not taken after it.
     *
     * @param failed whether it failed: {@code /q/health/started} then stays DOWN with {@code message}, so the app
     *        beside this one does not start on an empty collection
     * @param message one sentence for the started check and the log
     * @param file the snapshot file it used, or null
     */
    record Outcome(boolean failed, String message, String file) {
    }
}
