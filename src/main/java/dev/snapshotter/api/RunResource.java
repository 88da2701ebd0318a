package dev.snapshotter.api;

import java.util.List;
import java.util.Optional;

import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.snapshotter.snapshot.Cancellation;
import dev.snapshotter.snapshot.RunView;
import dev.snapshotter.snapshot.SnapshotService;

/**
 * {@code /api/runs}: every run (boot, schedule, API, restore, drill) with its id, phase, progress and, once finished,
 * its report; the last ones survive a restart (a journal in the snapshot directory). {@code DELETE} cancels the run
 * going.
 */
@Path("/api/runs")
@Tag(name = ApiDocument.SNAPSHOTS)
public class RunResource {

    private final SnapshotService runs;

    RunResource(SnapshotService runs) {
        this.runs = runs;
    }

    @GET
    @Produces({ MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE })
    @Operation(summary = "List the runs", description = "The run going, if any, then the last 50 finished, newest "
            + "first.")
    public List<RunView> list() {
        return runs.runs();
    }

    @GET
    @Path("{id}")
    @Produces({ MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE })
    @Operation(summary = "One run", description = "Its status, phase, bytes done and expected, throughput, an "
            + "estimate of the time left while it goes, and its report once finished.")
    @APIResponse(responseCode = "200", description = "The run", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RunView.class)))
    @APIResponse(responseCode = "404", description = "No run of this id is known", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public RunView get(@PathParam("id") String id) {
        return runs.run(id).orElseThrow(() -> notFound(id));
    }

    @DELETE
    @Path("{id}")
    @Produces({ MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE })
    @Operation(summary = "Cancel the run going", description = "With the guarantees of a shutdown: nothing is "
            + "published, the temporary files go, Qdrant's copy is recorded for the next run; a caller waiting on it "
            + "gets a 503 report. A restore whose upload Qdrant has whole can no longer be stopped (409).")
    @APIResponse(responseCode = "202", description = "Cancelling: the run as it stands", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RunView.class)))
    @APIResponse(responseCode = "404", description = "No run of this id is known", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "The run has finished already, or can no longer be stopped (a restore whose upload Qdrant has whole)", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response cancel(@PathParam("id") String id) {
        Optional<RunView> cancelling;
        try {
            cancelling = runs.cancel(id);
        } catch (Cancellation.TooLate e) {
            throw new ClientErrorException("Run " + id + " can no longer be stopped: " + e.getMessage() + ".",
                    Response.Status.CONFLICT);
        }
        return cancelling.map(view -> Response.status(Response.Status.ACCEPTED).entity(view)
                .type(MediaType.APPLICATION_JSON_TYPE).build())
                .orElseThrow(() -> runs.run(id).isPresent() ? new ClientErrorException("Run " + id + " has finished "
                        + "already; there is nothing to cancel.", Response.Status.CONFLICT) : notFound(id));
    }

    private static NotFoundException notFound(String id) {
        return new NotFoundException("No run is known by the id " + (id.length() > 100 ? id.substring(0, 100) + "..."
                : id) + "; GET /api/runs lists them.");
    }
}
