package dev.snapshotter.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import dev.snapshotter.snapshot.SnapshotService;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * DOWN while the last run failed for a reason no retry heals by itself: the snapshot directory takes no files
 * (removed, unmounted, read-only), or Qdrant refuses our key (401, or 403 for a key without the rights). Every
 * signal would otherwise say all is well while no backup can be made. It comes back UP when a run succeeds, or when
 * a quick look (a probe file in the directory; an authenticated alias lookup) finds the condition gone. Other
 * failures (Qdrant unreachable or slow, a broken download, a full disk) are left to the next run and to the
 * failed-runs alert: they often heal by themselves, and readiness flapping with them would help nobody.
 */
@Readiness
@ApplicationScoped
class LastRunCheck implements AsyncHealthCheck {

    private final SnapshotService service;

    LastRunCheck(SnapshotService service) {
        this.service = service;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        // the look at the condition touches the disk or Qdrant: off the event loop
        return Uni.createFrom().item(() -> service.blocker()
                .map(blocker -> HealthCheckResponse.named("last-run").down()
                        .withData("reason", "the last run failed because " + blocker.cause().condition()
                                + "; readiness recovers when a run succeeds or the condition is gone")
                        .withData("target", blocker.target())
                        .withData("since", blocker.since().toString())
                        .withData("message", blocker.message()).build())
                .orElseGet(() -> HealthCheckResponse.named("last-run").up().build()))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
