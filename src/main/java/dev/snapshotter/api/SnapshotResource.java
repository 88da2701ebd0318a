package dev.snapshotter.api;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.snapshotter.snapshot.SnapshotReport;
import dev.snapshotter.snapshot.SnapshotService;
import dev.snapshotter.store.SnapshotFailure;

/** Manual trigger: runs every target now and answers with the report when done. */
@Path("/api/snapshot")
public class SnapshotResource {

    private final SnapshotService service;

    SnapshotResource(SnapshotService service) {
        this.service = service;
    }

    @POST
    @Produces({ MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE })
    public Response trigger() {
        SnapshotReport report;
        try (SnapshotService.Run run = service.begin(SnapshotReport.Reason.API)) {
            report = run.execute(null);
        }
        return Response.status(httpStatus(report)).type(MediaType.APPLICATION_JSON_TYPE).entity(report).build();
    }

    /** 200 unless a target failed; then a 5xx naming the side that failed. */
    static int httpStatus(SnapshotReport report) {
        SnapshotFailure.Kind kind = report.failureKind();
        if (kind == null) {
            return 200;
        }
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
