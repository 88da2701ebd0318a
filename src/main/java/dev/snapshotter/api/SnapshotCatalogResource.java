package dev.snapshotter.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;

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
import jakarta.ws.rs.core.StreamingOutput;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.PathPart;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.snapshotter.offsite.OffsiteCatalog;
import dev.snapshotter.qdrant.SnapshotArchive;
import dev.snapshotter.store.Manifest;
import dev.snapshotter.store.SnapshotCatalog;
import dev.snapshotter.store.SnapshotCatalog.Entry;
import dev.snapshotter.store.SnapshotCatalog.Verification;
import dev.snapshotter.store.SnapshotFailure;
import dev.snapshotter.store.SnapshotFileWriter;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The backups on disk, for operators and jobs with no shell in the pod: list them, copy one off the machine, or
 * re-read one against its checksum, or delete one. Same bearer token as {@code POST /api/snapshot}. Only a file the catalog
 * lists can be named: anything else (paths, temporary files, links, unlisted names) is 404.
 */
@Path("/api/snapshots")
@Tag(name = ApiDocument.SNAPSHOTS)
public class SnapshotCatalogResource {

    private static final String CHECKSUM = SnapshotFileWriter.CHECKSUM_SUFFIX;
    private static final String MANIFEST = SnapshotFileWriter.MANIFEST_SUFFIX;

    private final SnapshotCatalog catalog;
    private final OffsiteCatalog offsite;

    SnapshotCatalogResource(SnapshotCatalog catalog, OffsiteCatalog offsite) {
        this.catalog = catalog;
        this.offsite = offsite;
    }

    /**
     * One listed snapshot.
     *
     * @param qdrantVersion the manifest's {@code qdrant.version}, when it has one
     * @param pointsCount the manifest's {@code collection.points_count}, when it has one
     * @param verified false once a re-read did not match the checksum file
     * @param verificationFailedAt when that re-read was
     * @param location where it lives: {@code local}, {@code offsite} or {@code both} (with {@code
     *        QDRANT_SNAPSHOT_S3_BUCKET} set; {@code local} without)
     * @param offsiteKey its object key in the bucket, when it is off-site
     * @param kind {@code snapshot}, or {@code set} for a cluster backup set (a directory; {@code sha256} is then
     *        absent and each member has its own)
     * @param members a set's files, each downloadable at {@code /api/snapshots/{set}/{member}}
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Listed(String file, String collection, long size, String sha256, String createdAt, String reason,
            String qdrantVersion, Long pointsCount, boolean manifest, boolean verified, String verificationFailedAt,
            String drilledAt, String drillResult, String location, String offsiteKey, String kind,
            List<SnapshotCatalog.Member> members) {

        static Listed of(Entry entry, String offsiteKey) {
            Manifest manifest = entry.manifest();
            return new Listed(entry.fileName(), entry.collection(), entry.bytes(), entry.sha256(),
                    entry.createdAt().toString(), manifest == null ? null : manifest.reason(),
                    manifest == null ? null : manifest.qdrantVersion(), manifest == null ? null : manifest.pointsCount(),
                    manifest != null, entry.verified(),
                    entry.verified() ? null : entry.verificationFailedAt().toString(),
                    entry.lastDrill() == null ? null : entry.lastDrill().drilledAt(),
                    entry.lastDrill() == null ? null : entry.lastDrill().result(),
                    offsiteKey == null ? LOCAL : "both", offsiteKey, entry.isSet() ? "set" : "snapshot",
                    entry.members());
        }

        /** A snapshot only off-site: what its name and the listing tell (its collection as the name carries it). */
        static Listed of(OffsiteCatalog.Remote remote) {
            return new Listed(remote.fileName(), OffsiteCatalog.collectionKey(remote), remote.size(), remote.sha256(),
                    remote.createdAt().toString(), null, null, null, false, true, null, null, null, OFFSITE,
                    remote.key(), remote.isSet() ? "set" : "snapshot", null);
        }
    }

    private static final String LOCAL = "local";
    private static final String OFFSITE = "offsite";

    /** The answer of a verification. */
    @RegisterForReflection
    public record Verified(String file, boolean verified, String sha256, String expected, String problem) {

        static Verified of(Verification verification) {
            return new Verified(verification.file(), verification.verified(), verification.sha256(),
                    verification.expected(), verification.problem());
        }
    }

    @GET
    @Produces({ MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE })
    @Operation(summary = "List the snapshots", description = "Every verified snapshot and backup set, newest first: "
            + "local ones, and with off-site copies on, those only in the bucket.")
    public List<Listed> list() throws SnapshotFailure {
        List<Entry> local = catalog.list();
        if (!offsite.enabled()) {
            return local.stream().map(entry -> Listed.of(entry, null)).toList();
        }
        Map<String, OffsiteCatalog.Remote> remote = new LinkedHashMap<>();
        offsite.listRemote().forEach(r -> remote.put(r.fileName(), r));
        List<Listed> listed = new ArrayList<>();
        for (Entry entry : local) {
            OffsiteCatalog.Remote there = remote.remove(entry.fileName());
            listed.add(Listed.of(entry, there != null && there.size() == entry.bytes() ? there.key() : null));
        }
        for (OffsiteCatalog.Remote only : remote.values()) {
            // its SHA-256 from the object's metadata or its checksum file (one HEAD each: off-site-only snapshots are
            // few); without one it cannot be verified, so it is not a backup to offer
            (only.isSet() ? Optional.of(only) : offsite.findRemote(only.fileName())).map(Listed::of)
                    .ifPresent(listed::add);
        }
        listed.sort(Comparator.comparing(Listed::createdAt).thenComparing(Listed::file).reversed());
        return listed;
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
    @Operation(summary = "Download a snapshot", description = "The snapshot's bytes (single ranges answered 206), its "
            + "`.sha256` or `.json` after its name; a backup set's name answers its set.json.")
    @APIResponse(responseCode = "200", description = "The bytes", content = @Content(mediaType = MediaType.APPLICATION_OCTET_STREAM))
    @APIResponse(responseCode = "206", description = "One range of the bytes", content = @Content(mediaType = MediaType.APPLICATION_OCTET_STREAM))
    @APIResponse(responseCode = "404", description = "No listed snapshot has this name", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "It failed its last verification (add ?unverified=true)", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "416", description = "The range lies past its end", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response download(@PathParam("file") String file, @HeaderParam("Range") String range,
            @HeaderParam("If-Range") String ifRange,
            @QueryParam("unverified") boolean unverified) throws SnapshotFailure {
        if (file.endsWith(CHECKSUM) || file.endsWith(MANIFEST)) {
            return sidecar(file);
        }
        Optional<Entry> local = catalog.find(file);
        if (local.isEmpty()) {
            Optional<OffsiteCatalog.Remote> remote = remote(file);
            if (remote.isPresent() && remote.get().isSet()) {
                return attachment(stream(() -> offsite.open(remote.get(), null)), MediaType.APPLICATION_JSON_TYPE,
                        file + MANIFEST);
            }
            if (remote.isPresent()) {
                return fromOffsite(remote.get(), "", range, ifRange);
            }
        }
        Entry entry = local.orElseThrow(() -> notListed(file));
        if (entry.isSet()) {
            // a set's own document is its manifest; its members are downloaded one by one
            return attachment(entry.manifestFile().toFile(), MediaType.APPLICATION_JSON_TYPE, entry.fileName() + MANIFEST);
        }
        requireVerified(entry, unverified);
        return ranged(entry.fileName(), entry.bytes(), entry.sha256(), entry.verified(), range, ifRange,
                part -> local(entry.file(), part, entry.bytes()));
    }

    /**
     * One file of a backup set, as a snapshot is served (ranges, {@code ETag}), or with {@code .sha256} after its
     * name, its checksum file. A set that failed verification is refused unless {@code ?unverified=true}.
     */
    @GET
    @Path("{set}/{member}")
    @Produces({ MediaType.APPLICATION_OCTET_STREAM, MediaType.TEXT_PLAIN, Problem.MEDIA_TYPE })
    @Operation(summary = "Download a member of a backup set", description = "One file of a set (ranges as for a "
            + "snapshot), or with `.sha256` after its name, its checksum file.")
    @APIResponse(responseCode = "200", description = "The bytes", content = @Content(mediaType = MediaType.APPLICATION_OCTET_STREAM))
    @APIResponse(responseCode = "404", description = "No such set or member", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response member(@PathParam("set") String set, @PathParam("member") String member,
            @HeaderParam("Range") String range, @HeaderParam("If-Range") String ifRange,
            @QueryParam("unverified") boolean unverified) throws SnapshotFailure {
        boolean checksum = member.endsWith(CHECKSUM);
        String name = checksum ? member.substring(0, member.length() - CHECKSUM.length()) : member;
        Optional<Entry> local = catalog.find(set).filter(Entry::isSet);
        if (local.isEmpty()) {
            Optional<OffsiteCatalog.Remote> remote = remote(set).filter(OffsiteCatalog.Remote::isSet);
            if (remote.isPresent()) {
                return offsiteMember(remote.get(), name, checksum, range, ifRange);
            }
        }
        Entry entry = local.orElseThrow(() -> notListed(set));
        SnapshotCatalog.Member found = entry.members().stream().filter(m -> m.file().equals(name)).findFirst()
                .orElseThrow(() -> new NotFoundException(set + " has no member named " + (name.length() > 100
                        ? name.substring(0, 100) + "..."
                        : name) + "; GET /api/snapshots lists its members."));
        if (checksum) {
            return attachment(entry.file().resolve(member).toFile(), MediaType.TEXT_PLAIN_TYPE, member);
        }
        requireVerified(entry, unverified);
        return ranged(found.file(), found.bytes(), found.sha256(), entry.verified(), range, ifRange,
                part -> local(entry.file().resolve(found.file()), part, found.bytes()));
    }

    /** A member of a set only off-site (or its checksum file), streamed from the bucket. */
    private Response offsiteMember(OffsiteCatalog.Remote set, String name, boolean checksum, String range,
            String ifRange) throws SnapshotFailure {
        SnapshotCatalog.Member found = offsite.setMembers(set).stream().filter(m -> m.file().equals(name))
                .findFirst().orElseThrow(() -> new NotFoundException(set.fileName() + " has no member named "
                        + (name.length() > 100 ? name.substring(0, 100) + "..." : name)
                        + "; GET /api/snapshots/" + set.fileName() + " lists its members."));
        if (checksum) {
            return attachment(stream(() -> offsite.openMember(set, name + CHECKSUM, null)), MediaType.TEXT_PLAIN_TYPE,
                    name + CHECKSUM);
        }
        return ranged(name, found.bytes(), found.sha256(), true, range, ifRange,
                part -> stream(() -> offsite.openMember(set, name, s3Range(part))));
    }

    /** Opens a stream of the bucket. */
    @FunctionalInterface
    private interface Opener {
        InputStream open() throws SnapshotFailure;
    }

    /** A body that streams what {@code opener} opens as it is written. */
    private static StreamingOutput stream(Opener opener) {
        return out -> {
            try (InputStream in = opener.open()) {
                in.transferTo(out);
            } catch (SnapshotFailure e) {
                throw new IOException(e.getMessage(), e);
            }
        };
    }

    /** The S3 range of the bytes a request wants ({@code bytes=0-99}), or null for all of them. */
    private static String s3Range(ByteRange part) {
        return part == null ? null : "bytes=" + part.first() + "-" + (part.first() + part.length() - 1);
    }

    /**
     * A local file's bytes: a PathPart, not a File, as Quarkus's file writer reads the Range header on its own and,
     * with the status set here, would answer a range with 200 and the whole file's length.
     */
    private static PathPart local(java.nio.file.Path file, ByteRange part, long size) {
        return part == null ? new PathPart(file, 0, size) : new PathPart(file, part.first(), part.length());
    }

    private static Response attachment(Object body, MediaType type, String name) {
        return Response.ok(body, type).header("Content-Disposition", "attachment; filename=\"" + name + "\"").build();
    }

    private static void requireVerified(Entry entry, boolean unverified) {
        if (!entry.verified() && !unverified) {
            throw new ClientErrorException(entry.fileName() + " failed verification at " + entry.verificationFailedAt()
                    + ": its bytes do not match its checksum file, so it is not served by default; add ?unverified=true "
                    + "to download it anyway.", Response.Status.CONFLICT);
        }
    }

    /**
     * A snapshot's bytes, local or off-site, whole or the one range asked (when an {@code If-Range} matches its
     * SHA-256 {@code ETag}), answered 206; the {@code ETag} is given while it is verified (a failed file's checksum
     * file no longer describes its bytes).
     *
     * @param body the body of the range asked, or of all the bytes for null
     */
    private static Response ranged(String name, long size, String sha256, boolean verified, String range,
            String ifRange, Function<ByteRange, Object> body) {
        String etag = "\"" + sha256 + "\"";
        ByteRange wanted = ifRange == null || ifRange.strip().equals(etag) ? ByteRange.of(range, size) : null;
        if (wanted == ByteRange.UNSATISFIABLE) {
            throw new RangeNotSatisfied(name, size);
        }
        Response.ResponseBuilder answer = wanted == null
                ? Response.ok(body.apply(null), MediaType.APPLICATION_OCTET_STREAM_TYPE)
                        .header(HttpHeaders.CONTENT_LENGTH, size)
                : Response.status(Response.Status.PARTIAL_CONTENT).entity(body.apply(wanted))
                        .type(MediaType.APPLICATION_OCTET_STREAM_TYPE)
                        .header(HttpHeaders.CONTENT_LENGTH, wanted.length())
                        .header("Content-Range", wanted.contentRange(size));
        if (verified) {
            answer.header(HttpHeaders.ETAG, etag);
        }
        return answer.header("Accept-Ranges", "bytes")
                .header("Content-Disposition", "attachment; filename=\"" + name + "\"").build();
    }

    /** An off-site-only snapshot, or one of its sidecars, streamed from the bucket. */
    private Response fromOffsite(OffsiteCatalog.Remote remote, String suffix, String range, String ifRange)
            throws SnapshotFailure {
        String name = remote.fileName() + suffix;
        if (!suffix.isEmpty()) {
            InputStream sidecar = offsite.openSidecar(remote, suffix).orElseThrow(
                    () -> new NotFoundException(remote.fileName() + " has no " + suffix + " off-site."));
            return attachment(stream(() -> sidecar), suffix.equals(CHECKSUM) ? MediaType.TEXT_PLAIN_TYPE
                    : MediaType.APPLICATION_JSON_TYPE, name);
        }
        return ranged(name, remote.size(), remote.sha256(), true, range, ifRange,
                part -> stream(() -> offsite.open(remote, s3Range(part))));
    }

    /** The snapshot of that name off-site, when off-site copies are on and it is there. */
    private Optional<OffsiteCatalog.Remote> remote(String file) throws SnapshotFailure {
        return offsite.enabled() ? offsite.findRemote(file) : Optional.empty();
    }

    private Response sidecar(String file) throws SnapshotFailure {
        boolean checksum = file.endsWith(CHECKSUM);
        String snapshot = file.substring(0, file.length() - (checksum ? CHECKSUM : MANIFEST).length());
        Optional<Entry> local = catalog.find(snapshot);
        if (local.isEmpty()) {
            Optional<OffsiteCatalog.Remote> remote = remote(snapshot);
            if (remote.isPresent()) {
                return fromOffsite(remote.get(), checksum ? CHECKSUM : MANIFEST, null, null);
            }
        }
        Entry entry = local.orElseThrow(() -> notListed(snapshot));
        if (entry.isSet() && checksum) {
            throw new NotFoundException(entry.fileName() + " is a backup set: each of its members has a checksum file, "
                    + "at /api/snapshots/" + entry.fileName() + "/<member>.sha256.");
        }
        java.nio.file.Path path = checksum ? entry.checksumFile() : entry.manifestFile();
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new NotFoundException(entry.fileName() + " has no manifest (it was taken before manifests existed, "
                    + "or its manifest could not be written).");
        }
        return attachment(path.toFile(), checksum ? MediaType.TEXT_PLAIN_TYPE : MediaType.APPLICATION_JSON_TYPE,
                path.getFileName().toString());
    }

    @POST
    @Path("{file}/verify")
    @Produces({ MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE })
    @Operation(summary = "Verify a snapshot", description = "Reads it again (off-site: streams the object) against its "
            + "SHA-256, with the offline archive check; a mismatch marks it.")
    public Verified verify(@PathParam("file") String file) throws IOException, SnapshotFailure {
        Optional<Entry> local = catalog.find(file);
        if (local.isEmpty()) {
            Optional<OffsiteCatalog.Remote> remote = remote(file);
            if (remote.isPresent()) {
                // off-site only: the object (a set's members) streamed and re-hashed, its content checked
                Optional<Verification> verification = offsite.verify(remote.get(), SnapshotArchive::new,
                        UnaryOperator.identity());
                if (verification.isPresent()) {
                    return Verified.of(verification.get());
                }
            }
        }
        Entry entry = local.orElseThrow(() -> notListed(file));
        return Verified.of(entry.isSet() ? catalog.verifySet(entry, SnapshotArchive::new)
                : catalog.verify(entry, new SnapshotArchive()));
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
    @Operation(summary = "Delete a snapshot", description = "With its checksum file, manifest and marks; the newest "
            + "verified one of its collection only with ?force=true.")
    @APIResponse(responseCode = "200", description = "What was deleted", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Deleted.class)))
    @APIResponse(responseCode = "409", description = "It is the newest verified snapshot of its collection, or a restore or drill is reading local snapshots now", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
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
        return catalog.find(file).orElseThrow(() -> notListed(file));
    }

    private static NotFoundException notListed(String file) {
        return new NotFoundException("No listed snapshot is named "
                + (file.length() > 200 ? file.substring(0, 200) + "..." : file) + "; GET /api/snapshots lists them.");
    }
}
