package dev.snapshotter.api;

import java.io.IOException;
import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.snapshotter.snapshot.SnapshotCatalog;
import dev.snapshotter.snapshot.SnapshotCatalog.Entry;
import dev.snapshotter.snapshot.SnapshotCatalog.Verification;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The backups on disk, for operators and jobs with no shell in the pod: list them, copy one off the machine, or
 * re-read one against its checksum. Same bearer token as {@code POST /api/snapshot}. Only a file the catalog lists
 * can be named: anything else (paths, temporary files, links, unlisted names) is 404.
 */
@Path("/api/snapshots")
public class SnapshotCatalogResource {

    private final SnapshotCatalog catalog;
    private final ApiAuthorization authorization;

    SnapshotCatalogResource(SnapshotCatalog catalog, ApiAuthorization authorization) {
        this.catalog = catalog;
        this.authorization = authorization;
    }

    /**
     * One listed snapshot.
     *
     * @param qdrantVersion the manifest's {@code qdrant.version}, when it has one
     * @param pointsCount the manifest's {@code collection.points_count}, when it has one
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Listed(String file, String collection, long size, String sha256, String createdAt, String reason,
            String qdrantVersion, Long pointsCount, boolean manifest) {

        static Listed of(Entry entry) {
            String points = entry.manifestText("collection", "points_count");
            return new Listed(entry.fileName(), entry.collection(), entry.bytes(), entry.sha256(),
                    entry.createdAt().toString(), entry.manifestText("reason"), entry.manifestText("qdrant", "version"),
                    points == null ? null : Long.valueOf(points), entry.manifest() != null);
        }
    }

    /** The answer of a verification. */
    @RegisterForReflection
    public record Verified(String file, boolean verified, String sha256, String expected) {
    }

    @GET
    @Produces({ MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE })
    public List<Listed> list(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorizationHeader) {
        authorization.check(authorizationHeader);
        return catalog.list().stream().map(Listed::of).toList();
    }

    @GET
    @Path("{file}")
    @Produces({ MediaType.APPLICATION_OCTET_STREAM, Problem.MEDIA_TYPE })
    public Response download(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorizationHeader,
            @PathParam("file") String file) {
        authorization.check(authorizationHeader);
        Entry entry = listed(file);
        return Response.ok(entry.file().toFile(), MediaType.APPLICATION_OCTET_STREAM_TYPE)
                .header(HttpHeaders.CONTENT_LENGTH, entry.bytes())
                .header(HttpHeaders.ETAG, "\"" + entry.sha256() + "\"")
                .header("Content-Disposition", "attachment; filename=\"" + entry.fileName() + "\"")
                .build();
    }

    @POST
    @Path("{file}/verify")
    @Produces({ MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE })
    public Verified verify(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorizationHeader,
            @PathParam("file") String file) throws IOException {
        authorization.check(authorizationHeader);
        Verification verification = catalog.verify(listed(file));
        return new Verified(verification.file(), verification.verified(), verification.sha256(),
                verification.expected());
    }

    private Entry listed(String file) {
        return catalog.find(file).orElseThrow(() -> new NotFoundException("No listed snapshot is named "
                + (file.length() > 200 ? file.substring(0, 200) + "..." : file) + "; GET /api/snapshots lists them."));
    }
}
