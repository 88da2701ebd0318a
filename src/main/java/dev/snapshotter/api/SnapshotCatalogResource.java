package dev.snapshotter.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.List;

import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.PathPart;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.snapshotter.qdrant.SnapshotArchive;
import dev.snapshotter.store.SnapshotCatalog;
import dev.snapshotter.store.SnapshotCatalog.Entry;
import dev.snapshotter.store.SnapshotCatalog.Verification;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The backups on disk, for operators and jobs with no shell in the pod: list them, copy one off the machine, or
 * re-read one against its checksum, or delete one. Same bearer token as {@code POST /api/snapshot}. Only a file the catalog
 * lists
 * can be named: anything else (paths, temporary files, links, unlisted names) is 404.
 */
@Path("/api/snapshots")
public class SnapshotCatalogResource {

    private static final String CHECKSUM = ".sha256";
    private static final String MANIFEST = ".json";

    private final SnapshotCatalog catalog;

    SnapshotCatalogResource(SnapshotCatalog catalog) {
        this.catalog = catalog;
    }

    /**
     * One listed snapshot.
     *
     * @param qdrantVersion the manifest's {@code qdrant.version}, when it has one
     * @param pointsCount the manifest's {@code collection.points_count}, when it has one
     * @param verified false once a re-read did not match the checksum file
     * @param verificationFailedAt when that re-read was
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Listed(String file, String collection, long size, String sha256, String createdAt, String reason,
            String qdrantVersion, Long pointsCount, boolean manifest, boolean verified, String verificationFailedAt,
            String drilledAt, String drillResult) {

        static Listed of(Entry entry) {
            String points = entry.manifestText("collection", "points_count");
            return new Listed(entry.fileName(), entry.collection(), entry.bytes(), entry.sha256(),
                    entry.createdAt().toString(), entry.manifestText("reason"), entry.manifestText("qdrant", "version"),
                    points == null ? null : Long.valueOf(points), entry.manifest() != null, entry.verified(),
                    entry.verified() ? null : entry.verificationFailedAt().toString(),
                    entry.lastDrill() == null ? null : entry.lastDrill().path("drilledAt").asText(null),
                    entry.lastDrill() == null ? null : entry.lastDrill().path("result").asText(null));
        }
    }

    /** The answer of a verification. */
    @RegisterForReflection
    public record Verified(String file, boolean verified, String sha256, String expected, String problem) {
    }

    @GET
    @Produces({ MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE })
    public List<Listed> list() {
        return catalog.list().stream().map(Listed::of).toList();
    }

    /**
     * The snapshot's bytes (single ranges served as {@code 206}, so {@code curl -C -} resumes a copy), or with
     * {@code .sha256} or {@code .json} after its name, its checksum file or manifest. A snapshot whose last re-read did
     * not match its checksum file is refused ({@code 409}) unless {@code ?unverified=true} asks for it anyway.
     */
    @GET
    @Path("{file}")
    @Produces({ MediaType.APPLICATION_OCTET_STREAM, MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN,
            Problem.MEDIA_TYPE })
    public Response download(@PathParam("file") String file, @HeaderParam("Range") String range,
            @HeaderParam("If-Range") String ifRange,
            @QueryParam("unverified") boolean unverified) {
        if (file.endsWith(CHECKSUM) || file.endsWith(MANIFEST)) {
            return sidecar(file);
        }
        Entry entry = listed(file);
        if (!entry.verified() && !unverified) {
            throw new ClientErrorException(entry.fileName() + " failed verification at " + entry.verificationFailedAt()
                    + ": its bytes do not match its checksum file, so it is not served by default; add ?unverified=true "
                    + "to download it anyway.", Response.Status.CONFLICT);
        }
        long size = entry.bytes();
        String etag = "\"" + entry.sha256() + "\"";
        ByteRange wanted = ifRange == null || ifRange.strip().equals(etag) ? ByteRange.of(range, size) : null;
        if (wanted == ByteRange.UNSATISFIABLE) {
            throw new RangeNotSatisfied(entry.fileName(), size);
        }
        // a PathPart, not a File: Quarkus's file writer reads the Range header on its own and, with the status set
        // here, would answer a range with 200 and the whole file's length
        Response.ResponseBuilder answer = wanted == null
                ? Response.ok(new PathPart(entry.file(), 0, size), MediaType.APPLICATION_OCTET_STREAM_TYPE)
                        .header(HttpHeaders.CONTENT_LENGTH, size)
                : Response.status(Response.Status.PARTIAL_CONTENT)
                        .entity(new PathPart(entry.file(), wanted.first(), wanted.length()))
                        .type(MediaType.APPLICATION_OCTET_STREAM_TYPE)
                        .header(HttpHeaders.CONTENT_LENGTH, wanted.length())
                        .header("Content-Range", wanted.contentRange(size));
        if (entry.verified()) {
            answer.header(HttpHeaders.ETAG, etag); // a failed file's checksum file no longer describes its bytes
        }
        return answer.header("Accept-Ranges", "bytes")
                .header("Content-Disposition", "attachment; filename=\"" + entry.fileName() + "\"").build();
    }

    private Response sidecar(String file) {
        boolean checksum = file.endsWith(CHECKSUM);
        Entry entry = listed(file.substring(0, file.length() - (checksum ? CHECKSUM : MANIFEST).length()));
        java.nio.file.Path path = checksum ? entry.checksumFile() : entry.manifestPath();
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new NotFoundException(entry.fileName() + " has no manifest (it was taken before manifests existed, "
                    + "or its manifest could not be written).");
        }
        return Response.ok(path.toFile(), checksum ? MediaType.TEXT_PLAIN_TYPE : MediaType.APPLICATION_JSON_TYPE)
                .header("Content-Disposition", "attachment; filename=\"" + path.getFileName() + "\"").build();
    }

    @POST
    @Path("{file}/verify")
    @Produces({ MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE })
    public Verified verify(@PathParam("file") String file) throws IOException {
        Verification verification = catalog.verify(listed(file), new SnapshotArchive());
        return new Verified(verification.file(), verification.verified(), verification.sha256(),
                verification.expected(), verification.problem());
    }

    /** What a deletion removed. */
    @RegisterForReflection
    public record Deleted(String file, List<String> deleted) {
    }

    /**
     * Deletes a snapshot with its checksum file, manifest and mark. The newest verified snapshot of its collection is
     * refused ({@code 409}) unless {@code ?force=true}: it is the one a restore would reach for.
     */
    @DELETE
    @Path("{file}")
    @Produces({ MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE })
    public Deleted delete(@PathParam("file") String file, @QueryParam("force") boolean force) throws IOException {
        Entry entry = listed(file);
        return new Deleted(entry.fileName(), catalog.delete(entry, force));
    }

    /** A range past the end of the file: {@code 416} with the file's size. */
    static final class RangeNotSatisfied extends RuntimeException {
        final long size;

        RangeNotSatisfied(String file, long size) {
            super("The range asked lies past the end of " + file + ", which has " + size + " bytes.");
            this.size = size;
        }
    }

    private Entry listed(String file) {
        return catalog.find(file).orElseThrow(() -> new NotFoundException("No listed snapshot is named "
                + (file.length() > 200 ? file.substring(0, 200) + "..." : file) + "; GET /api/snapshots lists them."));
    }
}
