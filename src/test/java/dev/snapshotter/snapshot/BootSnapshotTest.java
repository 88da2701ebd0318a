package dev.snapshotter.snapshot;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/** Boot with QDRANT_SNAPSHOT_ON_START on: exactly one verified snapshot, before readiness. */
@QuarkusTest
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.on-start", value = "YES"))
@ExtendWith(SecretsStayHidden.class)
class BootSnapshotTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @Test
    void takesExactlyOneVerifiedSnapshotAtBoot() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/started").then().body("checks[0].data.status", equalTo("completed"));

        List<LoggedRequest> creates = qdrant.creates();
        assertThat(creates).hasSize(1);
        assertThat(creates.get(0).getUrl()).isEqualTo("/collections/kairos/snapshots?wait=true");
        assertThat(creates.get(0).getHeader("api-key")).isEqualTo(QdrantStandIn.API_KEY);
        List<LoggedRequest> downloads = qdrant.requests("GET", "/collections/kairos/snapshots/");
        assertThat(downloads).hasSize(1);
        assertThat(downloads.get(0).getHeader("Accept-Encoding")).doesNotContainIgnoringCase("gzip");
        assertThat(qdrant.requests("DELETE", "/collections/kairos/snapshots/")).hasSize(1);

        List<Path> files = dir.list();
        assertThat(files).hasSize(3);
        Path snap = files.stream().filter(f -> f.toString().endsWith(".snap")).findFirst().orElseThrow();
        Path sidecar = Path.of(snap + ".sha256");
        assertThat(files).isEqualTo(SnapshotDir.completed(snap));
        String sha256 = TestData.sha256(Files.readAllBytes(snap));
        assertThat(Files.readString(sidecar, StandardCharsets.UTF_8)).isEqualTo(sha256 + "  " + snap.getFileName() + "\n");
        assertThat(Files.size(snap)).isEqualTo(TestData.snapshot(64 * 1024 + 7).length);

        // the boot snapshot happens once per process, whatever comes after
        Thread.sleep(500);
        assertThat(qdrant.creates()).hasSize(1);
    }
}
