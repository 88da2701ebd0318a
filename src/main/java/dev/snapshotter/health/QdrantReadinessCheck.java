package dev.snapshotter.health;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import dev.snapshotter.qdrant.QdrantClient;
import dev.snapshotter.snapshot.BootSnapshot;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

/**
 * Ready when the boot snapshot attempt has settled and Qdrant answers {@code /readyz} within a short timeout. An
 * app started after our readiness therefore finds its state already backed up. Never throws; says why when DOWN.
 */
@Readiness
@ApplicationScoped
class QdrantReadinessCheck implements AsyncHealthCheck {

    private final BootSnapshot bootSnapshot;
    private final QdrantClient qdrant;

    QdrantReadinessCheck(BootSnapshot bootSnapshot, QdrantClient qdrant) {
        this.bootSnapshot = bootSnapshot;
        this.qdrant = qdrant;
    }

    /**
     * One {@code /readyz} call as the service starts, its outcome ignored: the REST client is built then, in
     * parallel with the rest of the boot, rather than by the first readiness probe, which then answers sooner. It
     * runs after every other startup step, so a boot that fails (bad directory, bad secret) sends nothing.
     */
    void warmUp(@Observes @Priority(Interceptor.Priority.PLATFORM_AFTER) StartupEvent event) {
        qdrant.ready(QdrantClient.PROBE_TIMEOUT).subscribe().with(ready -> {
        }, notReady -> {
        });
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        if (bootSnapshot.result().isEmpty()) {
            return Uni.createFrom().item(HealthCheckResponse.named("qdrant").down()
                    .withData("reason", "the boot snapshot has not settled yet").build());
        }
        String url = qdrant.url().toString();
        return qdrant.ready(QdrantClient.PROBE_TIMEOUT)
                .map(ignored -> HealthCheckResponse.named("qdrant").up().withData("url", url).build())
                .onFailure().recoverWithItem(failure -> HealthCheckResponse.named("qdrant").down()
                        .withData("url", url).withData("reason", String.valueOf(failure.getMessage())).build());
    }
}
