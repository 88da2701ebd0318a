package dev.snapshotter.snapshot;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Path;
import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Not a first deployment: the collection {@code kairos} does not exist on Qdrant, but a backup of it is in the
 * directory (Qdrant lost its volume, or {@code QDRANT_COLLECTION} is wrong). The boot snapshot fails, naming that
 * backup and how to restore it, and the fail-closed gate keeps startup DOWN: the app beside must not start writing
 * into an empty collection.
 */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.on-start", value = "true"),
        @ResourceArg(name = "qdrant.snapshot.on-start-required", value = "true") }, collectionMissing = true, plantedSnapshotAge = "PT2H")
@ExtendWith(SecretsStayHidden.class)
class BootMissingCollectionTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @Test
    void theBootSnapshotFailsNamingTheBackupAndStartupStaysDown() throws Exception {
        Path planted = dir.list().stream().filter(f -> f.toString().endsWith(".snap")).findFirst().orElseThrow();
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/q/health/started").then()
                .statusCode(503)
                .body("checks[0].data.status", equalTo("failed"))
                .body("checks[0].data.required", equalTo(true))
                .body("checks[0].data.message", containsString("Collection `kairos` does not exist at"))
                .body("checks[0].data.message", containsString("Backups exist (the newest: "
                        + planted.getFileName() + ")"))
                .body("checks[0].data.message", containsString("QDRANT_SNAPSHOT_RESTORE_IF_MISSING=true")));
        Thread.sleep(1_000);
        given().get("/q/health/started").then().statusCode(503);
        assertThat(qdrant.creates()).isEmpty();
    }
}
