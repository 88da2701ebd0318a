package dev.snapshotter.api;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.snapshotter.restore.DrillService;
import dev.snapshotter.restore.RestoreRefused;
import dev.snapshotter.restore.RestoreReport;
import dev.snapshotter.snapshot.RunView;
import dev.snapshotter.snapshot.SnapshotReport;
import dev.snapshotter.snapshot.SnapshotService;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * {@code POST /api/drill}: a restore drill of the newest verified snapshot (or {@code {"file": "<name>"}}) into a
 * scratch collection that is dropped afterwards (see {@link DrillService}). 200 with the report when it passed, 502
 * when it failed; a refusal is a problem like a restore's.
 */
@Path("/api/drill")
@Tag(name = ApiDocument.RESTORES)
public class DrillResource {

    private final DrillService drills;
    private final SnapshotService runs;
    private final RunAnswers answers;

    DrillResource(DrillService drills, SnapshotService runs, RunAnswers answers) {
        this.drills = drills;
        this.runs = runs;
        this.answers = answers;
    }

    /** @param file the listed snapshot to drill (default: the newest verified one of {@code QDRANT_COLLECTION}) */
    @RegisterForReflection
    @Schema(name = "DrillRequest")
    public record Body(String file) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({ MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE })
    @Operation(summary = "Run a restore drill", description = "Restores the newest verified snapshot (or the one named) into a scratch collection, checks it and drops it.")
    @APIResponse(responseCode = "202", description = "With `Prefer: respond-async`: the drill goes on; `Location` names "
            + "its run (`/api/runs/{id}`), where its report (or its refusal, in `message`) lands", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RunView.class)))
    @APIResponse(responseCode = "200", description = "The drill passed", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RestoreReport.class)))
    @APIResponse(responseCode = "502", description = "Qdrant failed it, or a check after it did (the report); or a snapshot only off-site could not be fetched from the bucket (a problem)", content = {
            @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RestoreReport.class)),
            @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)) })
    @APIResponse(responseCode = "404", description = "No such snapshot", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "Refused: Qdrant's state forbids it, or a run is going", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "504", description = "A snapshot only off-site could not be fetched: the bucket did not answer in time", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "507", description = "A snapshot only off-site could not be fetched: the directory has no room for it", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "The snapshot cannot be restored (it fails verification, or "
            + "lacks shards' data)", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response drill(Body body, @Parameter(description = "`respond-async` answers 202 at once with the run's "
            + "`Location`; the drill goes on") @HeaderParam("Prefer") String prefer) throws RestoreRefused {
        String file = body == null ? null : body.file();
        SnapshotService.Run run = runs.begin(SnapshotReport.Reason.RESTORE);
        if (RunAnswers.async(prefer)) {
            return answers.accepted(run, going -> drills.drillUnder(going, file));
        }
        try (run) {
            RestoreReport report = drills.drillUnder(run, file);
            return RunAnswers.done(run, report.drillPassed() ? 200 : 502, report);
        }
    }
}
