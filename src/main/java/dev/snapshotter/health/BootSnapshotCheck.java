package dev.snapshotter.health;

import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Startup;

import dev.snapshotter.snapshot.BootSnapshot;
import dev.snapshotter.snapshot.BootStep;
import dev.snapshotter.snapshot.SnapshotReport;

/**
 * Started once the boot snapshot attempt has settled, whatever its outcome; with
 * {@code QDRANT_SNAPSHOT_ON_START_REQUIRED}, only once it has succeeded (DOWN with the last failure meanwhile).
 */
@Startup
@ApplicationScoped
class BootSnapshotCheck implements HealthCheck {

    private final BootSnapshot bootSnapshot;

    BootSnapshotCheck(BootSnapshot bootSnapshot) {
        this.bootSnapshot = bootSnapshot;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("boot-snapshot");
        bootSnapshot.prepared().ifPresent(step -> {
            Optional<Instant> again = bootSnapshot.prepareAgainAt();
            response.withData("restore", again.isPresent() ? "waiting" : step.failed() ? "failed" : "completed");
            again.ifPresent(at -> response.withData("nextAttemptAt", at.toString()));
            response.withData("restoreMessage", step.message());
        });
        if (bootSnapshot.prepared().filter(BootStep.Outcome::failed).isPresent()) {
            return response.down().build();
        }
        if (bootSnapshot.result().isPresent()) {
            return withReport(response.up(), bootSnapshot.result().get());
        }
        return bootSnapshot.retrying()
                .map(retry -> withReport(response.down().withData("required", true)
                        .withData("attempts", retry.attempts())
                        .withData("nextAttemptAt", retry.nextAttemptAt().toString()), retry.last()))
                .orElseGet(() -> response.down().withData("status", "running").build());
    }

    static HealthCheckResponse withReport(HealthCheckResponseBuilder response, SnapshotReport report) {
        response.withData("status", report.status().label());
        report.targets().stream().filter(t -> t.message() != null).findFirst()
                .ifPresent(t -> response.withData("message", t.message()));
        report.targets().stream().filter(t -> t.filePath() != null).findFirst()
                .ifPresent(t -> response.withData("file", t.filePath()));
        return response.build();
    }
}
