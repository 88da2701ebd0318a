package dev.snapshotter.snapshot;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Files;
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
 * {@code QDRANT_COLLECTION} renamed behind the fail-closed gate: the app beside now uses {@code kairos}, which it
 * creates at its first start, while the directory holds the backups of the collection it used before,
 * {@code kairos_2025}. That is a first deployment of {@code kairos}: the boot snapshot is skipped and startup goes UP,
 * naming the other collection in case the new name is a slip. Before, any backup in the directory counted, so the boot
 * snapshot failed for ever ("Backups exist ... restore it", a restore that would refuse: none is of {@code kairos}) and
 * the app that would create the collection never started.
 */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.on-start", value = "true"),
        @ResourceArg(name = "qdrant.snapshot.on-start-required", value = "true"),
        @ResourceArg(name = "qdrant.snapshot.restore-if-missing", value = "true") }, collectionMissing = true, plantedSnapshotAge = "PT2H", plantedSnapshotOf = "kairos_2025")
@ExtendWith(SecretsStayHidden.class)
class BootRenamedCollectionTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @Test
    void backupsOfAnotherCollectionDoNotHoldStartupDown() throws Exception {
        Path planted = dir.list().stream().filter(f -> f.toString().endsWith(".snap")).findFirst().orElseThrow();
        byte[] body = Files.readAllBytes(planted);

        Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        given().get("/q/health/started").then()
                .body("checks[0].data.status", equalTo("skipped"))
                .body("checks[0].data.message", containsString("Nothing to back up yet (a first deployment: no "
                        + "backup of `kairos` is in " + dir.directory() + ")"))
                .body("checks[0].data.message", containsString("Collection `kairos` does not exist at"))
                .body("checks[0].data.message", containsString("backups of other collections are there "
                        + "(kairos_2025): if QDRANT_COLLECTION should name one of them, correct it"));
        given().get("/q/health/ready").then().statusCode(200);
        assertThat(qdrant.creates()).isEmpty();
        assertThat(qdrant.requests("POST", "/collections/kairos/snapshots/upload")).isEmpty();
        assertThat(qdrant.requests("POST", "/collections/kairos_2025/snapshots/upload")).isEmpty();
        assertThat(Files.readAllBytes(planted)).isEqualTo(body);
    }
}
