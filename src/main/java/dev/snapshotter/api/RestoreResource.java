package dev.snapshotter.api;

import java.time.Instant;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.snapshotter.restore.RestoreRefused;
import dev.snapshotter.restore.RestoreReport;
import dev.snapshotter.restore.RestoreService;
import dev.snapshotter.snapshot.RunView;
import dev.snapshotter.snapshot.SnapshotReport;
import dev.snapshotter.snapshot.SnapshotService;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * {@code POST /api/snapshots/{file}/restore}: restores a listed snapshot into Qdrant (see {@link RestoreService}).
 * 200 with the report when it completed (or, for a dry run, its checks passed), 502 with the report when Qdrant failed
 * it or a post-check did; a refusal
 * before anything was sent is a problem: 404 (no such file), 409 (Qdrant's state forbids it), 422 (the file cannot be
 * restored).
 */
@Path("/api/snapshots/{file}/restore")
@Tag(name = ApiDocument.RESTORES)
public class RestoreResource {

    private final RestoreService restores;
    private final SnapshotService runs;
    private final RunAnswers answers;

    RestoreResource(RestoreService restores, SnapshotService runs, RunAnswers answers) {
        this.restores = restores;
        this.runs = runs;
        this.answers = answers;
    }

    /**
     * The body of a restore request; every field may be left out.
     *
     * @param collection the collection to restore into (default: the one the snapshot was taken of)
     * @param overwrite restore into an existing collection (default false)
     * @param aliases point the manifest's aliases at the restored collection (default true)
     * @param safetySnapshot snapshot the collection {@code QDRANT_COLLECTION} names before overwriting it, and refuse
     *        the restore when that snapshot fails (default true)
     * @param dryRun only run the checks that come before the upload, the file re-read whole among them, and say what a
     *        restore would do (default false)
     * @param before {@code POST /api/restore} only: restore the newest verified snapshot of {@code QDRANT_COLLECTION}
     *        taken before this time (ISO 8601 with its offset, or how long ago: {@code 3h}), not the newest
     */
    @RegisterForReflection
    @Schema(name = "RestoreRequest")
    public record Body(String collection, Boolean overwrite, Boolean aliases, Boolean safetySnapshot, Boolean dryRun,
            @Schema(description = "`POST /api/restore` only: the newest verified snapshot taken before this time "
                    + "(ISO 8601 with its offset, like `2026-11-24T14:05:00Z`, or how long ago, a whole number of "
                    + "`s`, `m`, `h` or `d`, like `3h`) is restored, not the newest") String before) {

        static final Body DEFAULTS = new Body(null, null, null, null, null, null);

        /** The restore this body asks for, of {@code file} (or, when null, of the snapshot it picks). */
        RestoreService.Request request(String file) throws RestoreRefused {
            Instant point = null;
            if (before != null) {
                try {
                    point = RestoreService.Request.before(before);
                } catch (IllegalArgumentException e) {
                    throw new RestoreRefused(RestoreRefused.Kind.INVALID, "`before` " + e.getMessage());
                }
            }
            return new RestoreService.Request(file, point, collection, Boolean.TRUE.equals(overwrite),
                    !Boolean.FALSE.equals(aliases), !Boolean.FALSE.equals(safetySnapshot),
                    Boolean.TRUE.equals(dryRun));
        }
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({ MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE })
    @Operation(summary = "Restore a snapshot into Qdrant", description = "Restores a listed snapshot (or backup set), checked first and after; see README \"Restore\".")
    @APIResponse(responseCode = "202", description = "With `Prefer: respond-async`: the restore goes on; `Location` names "
            + "its run (`/api/runs/{id}`), where its report (or its refusal, in `message`) lands", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RunView.class)))
    @APIResponse(responseCode = "200", description = "The restore completed and its checks passed (`completed`), or "
            + "a dry run's checks passed (`checked`)", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RestoreReport.class)))
    @APIResponse(responseCode = "502", description = "Qdrant failed it, or a check after it did (the report); or a snapshot only off-site could not be fetched from the bucket (a problem)", content = {
            @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RestoreReport.class)),
            @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)) })
    @APIResponse(responseCode = "400", description = "Refused: the body is not this JSON, or its target is no collection name Qdrant takes", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such snapshot", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "Refused: Qdrant's state forbids it, or a run is going", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "The snapshot cannot be restored (it fails verification, or "
            + "lacks shards' data)", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "504", description = "A snapshot only off-site could not be fetched: the bucket did not answer in time", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "507", description = "A snapshot only off-site could not be fetched: the directory has no room for it", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response restore(@PathParam("file") String file, Body body, @Parameter(description = "`respond-async` "
            + "answers 202 at once with the run's `Location`; the restore goes on") @HeaderParam("Prefer") String prefer)
            throws RestoreRefused {
        Body asked = body == null ? Body.DEFAULTS : body;
        if (asked.before() != null) {
            throw new RestoreRefused(RestoreRefused.Kind.INVALID, "`before` picks the snapshot to restore, and this "
                    + "request names it: use POST /api/restore to restore the newest snapshot taken before a time");
        }
        return answer(asked.request(file), prefer);
    }

    /** Runs {@code request} under the single-flight slot: when done, or at once (202) when asked async. */
    Response answer(RestoreService.Request request, String prefer) throws RestoreRefused {
        SnapshotService.Run run = runs.begin(SnapshotReport.Reason.RESTORE);
        if (RunAnswers.async(prefer)) {
            return answers.accepted(run, going -> restores.restoreUnder(going, request));
        }
        try (run) {
            RestoreReport report = restores.restoreUnder(run, request);
            return RunAnswers.done(run, report.status() == RestoreReport.Status.FAILED ? 502 : 200, report);
        }
    }

    /**
     * {@code POST /api/restore}: restores the newest verified snapshot of {@code QDRANT_COLLECTION}, or with
     * {@code before} the newest taken before that time (a restore to a point in time), picked as the command line's
     * {@code restore --latest} and {@code --before} pick it: in the directory, or off-site when newer there. The same
     * body, checks and answers as a restore of a named file.
     */
    @Path("/api/restore")
    @Tag(name = ApiDocument.RESTORES)
    public static class Newest {

        private final RestoreResource restores;

        Newest(RestoreResource restores) {
            this.restores = restores;
        }

        @POST
        @Consumes(MediaType.APPLICATION_JSON)
        @Produces({ MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE })
        @Operation(summary = "Restore the newest snapshot, or the newest before a time", description = "Restores the newest verified snapshot of QDRANT_COLLECTION, or with `before` the newest taken before that time, with the checks and answers of a restore of a named file; the report's `file` names the one picked. See README \"Restore\".")
        @APIResponse(responseCode = "202", description = "With `Prefer: respond-async`: the restore goes on; `Location` names "
                + "its run (`/api/runs/{id}`), where its report (or its refusal, in `message`) lands", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RunView.class)))
        @APIResponse(responseCode = "200", description = "The restore completed and its checks passed (`completed`), or "
                + "a dry run's checks passed (`checked`)", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RestoreReport.class)))
        @APIResponse(responseCode = "502", description = "Qdrant failed it, or a check after it did (the report); or the snapshot picked is only off-site and could not be fetched from the bucket (a problem)", content = {
                @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RestoreReport.class)),
                @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)) })
        @APIResponse(responseCode = "400", description = "Refused: the body is not this JSON, its `before` is no time with its offset, or its target is no collection name Qdrant takes", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
        @APIResponse(responseCode = "404", description = "No verified snapshot of QDRANT_COLLECTION (taken before `before`), in the directory or off-site", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
        @APIResponse(responseCode = "409", description = "Refused: Qdrant's state forbids it, or a run is going", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
        @APIResponse(responseCode = "422", description = "The snapshot cannot be restored (it fails verification, or "
                + "lacks shards' data)", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
        @APIResponse(responseCode = "504", description = "The snapshot picked is only off-site and could not be fetched: the bucket did not answer in time", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
        @APIResponse(responseCode = "507", description = "The snapshot picked is only off-site and could not be fetched: the directory has no room for it", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
        public Response restore(Body body, @Parameter(description = "`respond-async` answers 202 at once with the "
                + "run's `Location`; the restore goes on") @HeaderParam("Prefer") String prefer) throws RestoreRefused {
            return restores.answer((body == null ? Body.DEFAULTS : body).request(null), prefer);
        }
    }
}
