package dev.snapshotter.api;

import java.net.URI;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

import dev.snapshotter.snapshot.SnapshotService;

import io.quarkus.arc.Arc;
import io.quarkus.arc.ArcContainer;

/**
 * How the resources that start a run (a snapshot, a restore, a drill) answer: with {@code Prefer: respond-async}, at
 * once with {@code 202}, the run as {@code GET /api/runs/{id}} shows it and its {@code Location}, the work going on
 * (a long restore outlives a proxy's idle timeout); otherwise with the outcome, the run named in a {@code Link}
 * header.
 */
@ApplicationScoped
public class RunAnswers {

    private static final Logger LOG = Logger.getLogger(RunAnswers.class);

    private final SnapshotService runs;
    private final ManagedExecutor executor;

    RunAnswers(SnapshotService runs, ManagedExecutor executor) {
        this.runs = runs;
        this.executor = executor;
    }

    /** Work done under a run's slot; what it reports lands in the run. */
    @FunctionalInterface
    public interface Work {
        void run(SnapshotService.Run run) throws Exception;
    }

    /** Whether the caller asked for the answer before the work is done ({@code Prefer: respond-async}). */
    static boolean async(String prefer) {
        return prefer != null && prefer.toLowerCase(Locale.ROOT).contains("respond-async");
    }

    /**
     * Runs {@code work} on the managed executor, the run closed after it, and answers 202 with the run. A refusal or an
     * unexpected failure of the work is in the run ({@code message}, {@code report}).
     */
    Response accepted(SnapshotService.Run run, Work work) {
        try {
            executor.execute(() -> {
                try (run) {
                    work.run(run);
                } catch (RuntimeException e) {
                    if (stopped()) { // a restore whose upload Qdrant had whole, answered once the shutdown had gone on
                        LOG.warnf("Run %s ended after the service had stopped, and was not recorded: after the restart "
                                + "the service checks what it left (%s)", run.id(), e.getMessage());
                        return;
                    }
                    LOG.errorf("Run %s failed unexpectedly: %s", run.id(), e);
                    run.refused("Failed unexpectedly: " + e);
                } catch (Exception refusal) {
                    // already logged and recorded in the run by the work that refused
                }
            });
        } catch (RuntimeException e) {
            run.close();
            throw e;
        }
        return Response.status(Response.Status.ACCEPTED).location(URI.create("/api/runs/" + run.id()))
                .header("Preference-Applied", "respond-async").type(MediaType.APPLICATION_JSON_TYPE)
                .entity(runs.run(run.id()).orElseThrow()).build();
    }

    /** Whether the application's beans are gone: its shutdown went on while the run did. */
    private static boolean stopped() {
        ArcContainer container = Arc.container();
        return container == null || !container.isRunning();
    }

    /** The outcome of a run done while the caller waited, with the run named in a {@code Link} header. */
    static Response done(SnapshotService.Run run, int status, Object report) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .header("Link", "</api/runs/" + run.id() + ">; rel=\"run\"").entity(report).build();
    }
}
