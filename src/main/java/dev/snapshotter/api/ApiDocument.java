package dev.snapshotter.api;

import jakarta.ws.rs.core.Application;

import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.info.License;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * What {@code /q/openapi} says of the whole API: its title, the bearer token every endpoint under {@code /api}
 * requires when {@code QDRANT_SNAPSHOT_API_TOKEN} is set, and the tags its operations are grouped by. The document is
 * checked in as {@code docs/openapi.yaml}; a test fails when the two differ.
 */
@OpenAPIDefinition(info = @Info(title = "qdrant-snapshotter", version = "1", description = "Verified backups of a "
        + "Qdrant collection: take them, list, download, verify, delete, restore and drill them. Every endpoint "
        + "under /api requires `Authorization: Bearer <QDRANT_SNAPSHOT_API_TOKEN>` when that variable is set; "
        + "refusals are RFC 9457 problem documents (application/problem+json).", license = @License(name = "See the "
                + "repository")), security = @SecurityRequirement(name = ApiDocument.TOKEN), tags = {
                        @Tag(name = ApiDocument.SNAPSHOTS, description = "Take snapshots and manage the catalog"),
                        @Tag(name = ApiDocument.RESTORES, description = "Restore snapshots and prove they restore") })
@SecurityScheme(securitySchemeName = ApiDocument.TOKEN, type = SecuritySchemeType.HTTP, scheme = "bearer", description = "QDRANT_SNAPSHOT_API_TOKEN; the API is open when it is unset")
public class ApiDocument extends Application {

    static final String TOKEN = "token";
    static final String SNAPSHOTS = "snapshots";
    static final String RESTORES = "restores";
}
