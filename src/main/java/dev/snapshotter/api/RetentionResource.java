package dev.snapshotter.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.snapshotter.snapshot.QdrantSnapshotTarget;
import dev.snapshotter.store.SnapshotFailure;

/**
 * What retention would do now, without doing it: each backup of the collection that retention counts, kept (and by
 * which rule or reason) or going at the next pruning, in the directory and off-site. For checking new rules before a
 * run applies them, as {@code restic forget --dry-run} does.
 */
@Path("/api/retention")
@Tag(name = ApiDocument.SNAPSHOTS)
public class RetentionResource {

    private final QdrantSnapshotTarget target;

    RetentionResource(QdrantSnapshotTarget target) {
        this.target = target;
    }

    @GET
    @Produces({ MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE })
    @Operation(summary = "Preview retention", description = "Every backup of the collection `QDRANT_COLLECTION` points "
            + "at that retention counts, newest first, in the directory (`local`) and with the bucket set off-site "
            + "(`offsite`): `kept` with the rules and reasons that keep it (`keptBy`: `newest`, `keep-last`, "
            + "`keep-within`, `keep-daily`, `keep-weekly`, `keep-monthly`, `keep-yearly`, `holds points`, "
            + "`not off-site yet`, `no rule`), or not kept: the next run's pruning deletes it. Nothing is deleted here.")
    @APIResponse(responseCode = "200", description = "The preview", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = QdrantSnapshotTarget.RetentionPreview.class)))
    @APIResponse(responseCode = "502", description = "The bucket (listing) failed, or Qdrant (resolving the alias) with no backup in the directory to answer for it", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "504", description = "Qdrant or the bucket did not answer in time", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public QdrantSnapshotTarget.RetentionPreview preview() throws SnapshotFailure {
        return target.previewRetention();
    }
}
