package dev.snapshotter.qdrant;

import java.lang.reflect.Method;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;
import org.eclipse.microprofile.rest.client.annotation.RegisterClientHeaders;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.quarkus.rest.client.reactive.ClientExceptionMapper;

/**
 * The snapshot download, on its own client so its read timeout means "no byte for this long" (a stalled stream)
 * rather than "the whole call" ({@code quarkus.rest-client.qdrant-download.read-timeout}). A {@link Response}
 * return keeps the body streaming instead of buffered, and gives the headers the pipeline checks.
 */
@Path("/")
@RegisterRestClient(configKey = "qdrant-download")
@RegisterClientHeaders(QdrantApiKeyHeaders.class)
interface QdrantDownloadApi {

    /** Qdrant compresses unless told not to, and a compressed body is not the snapshot (spec 5.3). */
    @GET
    @Path("collections/{collection}/snapshots/{name}")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    @ClientHeaderParam(name = "Accept-Encoding", value = "identity")
    Response download(@PathParam("collection") String collection, @PathParam("name") String name);

    @ClientExceptionMapper
    static RuntimeException toException(Response response, Method method) {
        return QdrantException.fromResponse(method.getName(), response);
    }
}
