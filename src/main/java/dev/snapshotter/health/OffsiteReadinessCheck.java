package dev.snapshotter.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import dev.snapshotter.offsite.OffsiteBoot;
import dev.snapshotter.offsite.S3Store;

/**
 * With {@code QDRANT_SNAPSHOT_S3_BUCKET} set: DOWN, with the reason, until the bucket has been shown to take our
 * writes (a marker written and deleted under the prefix), so a wrong bucket, credential or endpoint is seen at
 * deployment rather than after the first snapshot. Answers from the last probe; never waits on S3.
 */
@Readiness
@ApplicationScoped
class OffsiteReadinessCheck implements HealthCheck {

    private final S3Store store;
    private final OffsiteBoot boot;

    OffsiteReadinessCheck(S3Store store, OffsiteBoot boot) {
        this.store = store;
        this.boot = boot;
    }

    @Override
    public HealthCheckResponse call() {
        if (!store.enabled()) {
            return HealthCheckResponse.named("offsite").up().withData("enabled", false).build();
        }
        String problem = boot.problem();
        var response = HealthCheckResponse.named("offsite").withData("bucket", store.bucket());
        return problem == null ? response.up().build() : response.down().withData("reason", problem).build();
    }
}
