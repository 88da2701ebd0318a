package dev.snapshotter.offsite;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.InjectS3;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.S3Bucket;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@code QDRANT_COLLECTION} renamed on a pod without a volume behind the fail-closed gate: the bucket holds only the
 * backups of the collection used before, {@code kairos_2025}. They do not make the boot of {@code kairos} a lost
 * collection: the boot snapshot is skipped, naming them, and startup goes UP (before, it stayed DOWN for ever).
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(config = { @ResourceArg(name = "qdrant.snapshot.on-start", value = "true"),
        @ResourceArg(name = "qdrant.snapshot.on-start-required", value = "true") }, collectionMissing = true, plantedSnapshotAge = "PT2H", plantedSnapshotOf = "kairos_2025", plantedOffsitePrefix = OffsiteRenamedCollectionTest.PREFIX)
@WithS3(prefix = OffsiteRenamedCollectionTest.PREFIX, config = @ResourceArg(name = "qdrant.snapshot.s3.keep-local", value = "false"))
@ExtendWith(SecretsStayHidden.class)
class OffsiteRenamedCollectionTest {

    static final String PREFIX = "offsite-renamed-collection";

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @InjectS3
    S3Bucket bucket;

    @Test
    void backupsOfAnotherCollectionOffsiteDoNotHoldStartupDown() throws Exception {
        assertThat(bucket.keys()).filteredOn(key -> key.endsWith(".snap")).singleElement()
                .satisfies(key -> assertThat(key).startsWith("kairos_2025/"));
        assertThat(dir.list()).noneMatch(file -> file.toString().endsWith(".snap"));

        Awaitility.await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        given().get("/q/health/started").then()
                .body("checks[0].data.status", equalTo("skipped"))
                .body("checks[0].data.message", containsString("no backup of `kairos` is in " + dir.directory()
                        + " or off-site"))
                .body("checks[0].data.message", containsString("backups of other collections are there "
                        + "(kairos_2025)"));
        assertThat(qdrant.creates()).isEmpty();
        assertThat(bucket.keys()).filteredOn(key -> key.endsWith(".snap")).hasSize(1);
    }
}
