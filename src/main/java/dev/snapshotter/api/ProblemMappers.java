package dev.snapshotter.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import dev.snapshotter.restore.RestoreRefused;
import dev.snapshotter.snapshot.ShuttingDownException;
import dev.snapshotter.snapshot.SnapshotInProgressException;
import dev.snapshotter.snapshot.SnapshotsHeldException;
import dev.snapshotter.store.SnapshotCatalog;
import dev.snapshotter.store.SnapshotFailure;

/** Every refusal under {@code /api} as {@code application/problem+json}, in one place. */
class ProblemMappers {

    @ServerExceptionMapper
    Response inProgress(SnapshotInProgressException e) {
        return problem(Response.Status.CONFLICT, "Snapshot in progress", e.getMessage()).build();
    }

    @ServerExceptionMapper
    Response held(SnapshotsHeldException e) {
        return problem(Response.Status.CONFLICT, "Snapshots held", e.getMessage()).build();
    }

    @ServerExceptionMapper
    Response shuttingDown(ShuttingDownException e) {
        return problem(Response.Status.SERVICE_UNAVAILABLE, "Shutting down", e.getMessage()).build();
    }

    @ServerExceptionMapper
    Response rangeNotSatisfied(SnapshotCatalogResource.RangeNotSatisfied e) {
        return problem(Response.Status.REQUESTED_RANGE_NOT_SATISFIABLE, "Range not satisfiable", e.getMessage())
                .header("Content-Range", "bytes */" + e.size).header("Accept-Ranges", "bytes").build();
    }

    @ServerExceptionMapper
    Response newestKept(SnapshotCatalog.NewestKept e) {
        return problem(Response.Status.CONFLICT, "Newest snapshot kept", e.getMessage()).build();
    }

    @ServerExceptionMapper
    Response beingRead(SnapshotCatalog.BeingRead e) {
        return problem(Response.Status.CONFLICT, "Snapshots being read", e.getMessage()).build();
    }

    @ServerExceptionMapper
    Response restoreRefused(RestoreRefused e) {
        return switch (e.kind()) {
            case NOT_FOUND -> problem(Response.Status.NOT_FOUND, "Snapshot not found", e.getMessage()).build();
            case INVALID -> problem(Response.Status.BAD_REQUEST, "Restore refused", e.getMessage()).build();
            case CONFLICT -> problem(Response.Status.CONFLICT, "Restore refused", e.getMessage()).build();
            case UNPROCESSABLE -> problem(status(422), "Restore refused", e.getMessage()).build();
            case UNAVAILABLE -> problem(status(SnapshotResource.httpStatus(e.failure())), "Restore refused",
                    e.getMessage()).build();
        };
    }

    /** A status by its code, those JAX-RS has no constant for (422, 507) included. */
    static Response.StatusType status(int code) {
        Response.Status known = Response.Status.fromStatusCode(code);
        return known != null ? known
                : new Other(code, code == 422 ? "Unprocessable Content" : code == 507 ? "Insufficient Storage" : "Error");
    }

    private record Other(int getStatusCode, String getReasonPhrase) implements Response.StatusType {

        @Override
        public Response.Status.Family getFamily() {
            return Response.Status.Family.familyOf(getStatusCode);
        }
    }

    /**
     * The object store failed a catalog request on an off-site snapshot (listing, download, verification), or Qdrant
     * failed a request that needed it (the alias behind {@code QDRANT_COLLECTION}, for a retention preview).
     */
    @ServerExceptionMapper
    Response storeFailed(SnapshotFailure e) {
        String title = switch (e.kind()) {
            case UPSTREAM, UPSTREAM_TIMEOUT, UNREACHABLE -> "Qdrant failed";
            default -> "Off-site store failed";
        };
        return problem(status(SnapshotResource.httpStatus(e.kind())), title, e.getMessage()).build();
    }

    @ServerExceptionMapper
    Response unauthorized(ApiAuthorization.Unauthorized e) {
        return problem(Response.Status.UNAUTHORIZED, "Unauthorized", e.getMessage())
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    @ServerExceptionMapper
    Response webApplication(WebApplicationException e) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        return problem(status, status.getReasonPhrase(), e.getMessage()).build();
    }

    static Response.ResponseBuilder problem(Response.StatusType status, String title, String detail) {
        return Response.status(status.getStatusCode()).type(Problem.MEDIA_TYPE)
                .entity(new Problem("about:blank", title, status.getStatusCode(), detail));
    }
}
