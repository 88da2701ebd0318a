package dev.snapshotter.qdrant;

import java.io.InputStream;
import java.lang.reflect.Method;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.annotation.RegisterClientHeaders;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.quarkus.rest.client.reactive.ClientExceptionMapper;
import io.quarkus.rest.client.reactive.ClientQueryParam;
import io.smallrye.mutiny.Uni;

/**
 * Qdrant's JSON and health endpoints. Deadlines are applied per call by {@link QdrantClient}, because a snapshot
 * creation may take half an hour while a readiness probe must answer in seconds.
 * <p>
 * Every call returns the body as a stream: the REST client would otherwise buffer a whole body before anyone sees
 * it, error bodies included, and a hostile or broken peer could answer with gigabytes. {@link QdrantClient} reads
 * JSON answers up to a bound and {@link QdrantException} reads at most 4 KiB of an error.
 */
@Path("/")
@RegisterRestClient(configKey = "qdrant")
@RegisterClientHeaders(QdrantApiKeyHeaders.class)
interface QdrantApi {

    @GET
    @Path("readyz")
    @Produces(MediaType.TEXT_PLAIN)
    Uni<InputStream> readyz();

    /** Version information, outside the envelope and without auth. */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    Uni<InputStream> root();

    @GET
    @Path("collections/{collection}")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<InputStream> collection(@PathParam("collection") String collection);

    @GET
    @Path("collections/{collection}/snapshots")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<InputStream> listSnapshots(@PathParam("collection") String collection);

    @GET
    @Path("aliases")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<InputStream> aliases();

    /**
     * Qdrant's telemetry with each collection's running snapshot operations ({@code collections.snapshots}, Qdrant
     * 1.16 and later), which only details level 2 and above report.
     */
    @GET
    @Path("telemetry")
    @ClientQueryParam(name = "details_level", value = "2")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<InputStream> telemetry();

    /** Whether this Qdrant runs as a cluster, and as which peer. */
    @GET
    @Path("cluster")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<InputStream> cluster();

    /** Where the collection's shards live, as the answering node sees it. */
    @GET
    @Path("collections/{collection}/cluster")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<InputStream> collectionCluster(@PathParam("collection") String collection);

    @GET
    @Path("collections/{collection}/exists")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<InputStream> exists(@PathParam("collection") String collection);

    @POST
    @Path("collections/{collection}/snapshots")
    @ClientQueryParam(name = "wait", value = "true")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<InputStream> createSnapshot(@PathParam("collection") String collection);

    @DELETE
    @Path("collections/{collection}/snapshots/{name}")
    @ClientQueryParam(name = "wait", value = "true")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<InputStream> deleteSnapshot(@PathParam("collection") String collection,
            @PathParam("name") String name);

    /** {@code POST /collections/{c}/points/count} with a JSON body such as {@code {"exact":true}}. */
    @POST
    @Path("collections/{collection}/points/count")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<InputStream> countPoints(@PathParam("collection") String collection, String request);

    /** {@code POST /collections/{c}/points/scroll}: a page of points (ids only, with the body asked). */
    @POST
    @Path("collections/{collection}/points/scroll")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<InputStream> scroll(@PathParam("collection") String collection, String request);

    /** {@code POST /collections/{c}/points}: the points of these ids that exist. */
    @POST
    @Path("collections/{collection}/points")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<InputStream> retrieve(@PathParam("collection") String collection, String request);

    @DELETE
    @Path("collections/{collection}")
    @ClientQueryParam(name = "wait", value = "true")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<InputStream> deleteCollection(@PathParam("collection") String collection);

    /** {@code POST /collections/aliases}: alias actions, applied together. */
    @POST
    @Path("collections/aliases")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<InputStream> updateAliases(String actions);

    @ClientExceptionMapper
    static RuntimeException toException(Response response, Method method) {
        return QdrantException.fromResponse(method.getName(), response);
    }
}
