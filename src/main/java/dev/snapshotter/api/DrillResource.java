package dev.snapshotter.api;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.snapshotter.restore.DrillService;
import dev.snapshotter.restore.RestoreRefused;
import dev.snapshotter.restore.RestoreReport;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * {@code POST /api/drill}: a restore drill of the newest verified snapshot (or {@code {"file": "<name>"}}) into a
 * scratch collection that is dropped afterwards (see {@link DrillService}). 200 with the report when it passed, 502
 * when it failed; a refusal is a problem like a restore's.
 */
@Path("/api/drill")
public class DrillResource {

    private final DrillService drills;

    DrillResource(DrillService drills) {
        this.drills = drills;
    }

    /** @param file the listed snapshot to drill (default: the newest verified one of {@code QDRANT_COLLECTION}) */
    @RegisterForReflection
    public record Body(String file) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({ MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE })
    public Response drill(Body body) throws RestoreRefused {
        RestoreReport report = drills.drill(body == null ? null : body.file());
        return Response.status(report.drillPassed() ? 200 : 502).type(MediaType.APPLICATION_JSON_TYPE).entity(report).build();
    }
}
