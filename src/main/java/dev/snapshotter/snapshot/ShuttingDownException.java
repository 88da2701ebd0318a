package dev.snapshotter.snapshot;

/** A trigger arrived after shutdown began: no new run starts, since nothing would be left to finish it. */
public class ShuttingDownException extends RuntimeException {

    ShuttingDownException() {
        super("The service is shutting down; no new snapshot starts. Try again once it is back.");
    }
}
