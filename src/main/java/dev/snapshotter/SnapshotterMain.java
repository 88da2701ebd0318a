package dev.snapshotter;

import java.util.Arrays;

import dev.snapshotter.config.BootFailure;
import dev.snapshotter.health.ContainerProbe;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The executable's entry point. {@code application probe [path]} checks the health of a service already running
 * beside it and exits (see {@link ContainerProbe}); anything else starts the service. A boot that fails prints the
 * operator's sentences ({@link BootFailure}), not a stack trace, and exits non-zero.
 */
@QuarkusMain
public final class SnapshotterMain {

    private SnapshotterMain() {
    }

    public static void main(String... args) {
        if (args.length > 0 && ContainerProbe.COMMAND.equals(args[0])) {
            System.exit(ContainerProbe.run(Arrays.copyOfRange(args, 1, args.length)));
        }
        Quarkus.run(null, (exitCode, failure) -> {
            if (failure != null) {
                BootFailure.describe(failure).forEach(sentence -> System.err.println("Boot failed: " + sentence));
            }
            System.exit(exitCode);
        }, args);
    }
}
