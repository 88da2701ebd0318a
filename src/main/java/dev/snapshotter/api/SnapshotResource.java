package dev.snapshotter.api;

import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.snapshotter.snapshot.RunView;
import dev.snapshotter.snapshot.SnapshotReport;
import dev.snapshotter.snapshot.SnapshotService;
import dev.snapshotter.store.SnapshotFailure;

/** Manual trigger: runs every target now and answers with the report when done. */
@Path("/api/snapshot")
@Tag(name = ApiDocument.SNAPSHOTS)
public class SnapshotResource {

    private final SnapshotService service;
    private final RunAnswers answers;

    SnapshotResource(SnapshotService service, RunAnswers answers) {
        this.service = service;
        this.answers = answers;
    }

    @POST
    @Produces({ MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE })
    @Operation(summary = "Take a snapshot now", description = "Runs every target (Qdrant today) with reason `api` and "
            + "answers with the report when done: per target its status, file, size, SHA-256 and what it cleaned.")
    @APIResponse(responseCode = "202", description = "With `Prefer: respond-async`: the run goes on; `Location` names "
            + "it (`/api/runs/{id}`)", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RunView.class)))
    @APIResponse(responseCode = "200", description = "No target failed (each `completed` or `skipped`)", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SnapshotReport.class), examples = @ExampleObject(name = "completed", value = REPORT_EXAMPLE)))
    @APIResponse(responseCode = "409", description = "Refused: a run is going, or snapshots are held while the boot "
            + "has not ended its restore of the collection (a problem document); or the snapshot could not be a whole "
            + "backup (the report, `failed`)", content = {
                    @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SnapshotReport.class)),
                    @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)) })
    @APIResponse(responseCode = "502", description = "Qdrant or the object store failed, or the bytes did not verify", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SnapshotReport.class)))
    @APIResponse(responseCode = "504", description = "Qdrant or the object store did not answer in time", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SnapshotReport.class)))
    @APIResponse(responseCode = "503", description = "Shutdown cancelled the run, or has begun", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SnapshotReport.class)))
    @APIResponse(responseCode = "507", description = "The snapshot directory has no room for the snapshot", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SnapshotReport.class)))
    @APIResponse(responseCode = "500", description = "The snapshot directory failed", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SnapshotReport.class)))
    @APIResponse(responseCode = "401", description = "The bearer token is missing or wrong", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response trigger(@Parameter(description = "`respond-async` answers 202 at once with the run's "
            + "`Location`; the run goes on") @HeaderParam("Prefer") String prefer) {
        SnapshotService.Run run = service.begin(SnapshotReport.Reason.API);
        if (RunAnswers.async(prefer)) {
            return answers.accepted(run, going -> going.execute(null));
        }
        SnapshotReport report;
        try (run) {
            report = run.execute(null);
        }
        return RunAnswers.done(run, httpStatus(report), report);
    }

    static final String REPORT_EXAMPLE = "{\"reason\":\"api\",\"status\":\"completed\",\"startedAt\":"
            + "\"2026-11-24T00:15:00.123Z\",\"durationMs\":1840,\"targets\":[{\"target\":\"qdrant\",\"status\":"
            + "\"completed\",\"collection\":\"kairos\",\"snapshotName\":\"kairos-3766212330831337-2026-11-24-00-15-00"
            + ".snapshot\",\"filePath\":\"/data/snapshots/2026-11-24T00-15-00-123Z-kairos.snap\",\"bytesWritten\":"
            + "33667584,\"sha256\":\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\","
            + "\"remoteDeleted\":true,\"durationMs\":1838}]}";

    /** 200 unless a target failed; then a 5xx naming the side that failed. */
    static int httpStatus(SnapshotReport report) {
        SnapshotFailure.Kind kind = report.failureKind();
        return kind == null ? 200 : httpStatus(kind);
    }

    /** The status of a failure: 502 or 504 for the side that failed upstream, 507 for a full disk. */
    static int httpStatus(SnapshotFailure.Kind kind) {
        return switch (kind) {
            case UPSTREAM, UNREACHABLE, VERIFICATION, OFFSITE -> 502;
            case UPSTREAM_TIMEOUT, OFFSITE_TIMEOUT -> 504;
            case REFUSED -> 409;
            case INSUFFICIENT_STORAGE -> 507;
            case LOCAL_IO -> 500;
            case CANCELLED -> 503;
        };
    }
}
