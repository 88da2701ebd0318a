package dev.snapshotter;

import java.util.Arrays;

import dev.snapshotter.health.ContainerProbe;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The executable's entry point. {@code application probe [path]} checks the health of a service already running
 * beside it and exits (see {@link ContainerProbe}); anything else starts the service.
 */
@QuarkusMain
public final class SnapshotterMain {

    private SnapshotterMain() {
    }

    public static void main(String... args) {
        if (args.length > 0 && ContainerProbe.COMMAND.equals(args[0])) {
            System.exit(ContainerProbe.run(Arrays.copyOfRange(args, 1, args.length)));
        }
        Quarkus.run(args);
    }
}
