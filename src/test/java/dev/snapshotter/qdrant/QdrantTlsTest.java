package dev.snapshotter.qdrant;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.SnapshotDir;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.junit.QuarkusTest;

/** Qdrant behind https signed by a private CA: QDRANT_CA_CERT_PATH makes every call trust it. */
@QuarkusTest
@WithQdrantStandIn(tls = WithQdrantStandIn.Tls.PRIVATE_CA)
@ExtendWith(SecretsStayHidden.class)
class QdrantTlsTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @Test
    void snapshotsOverHttpsWithThePrivateCa() {
        qdrant.reset();
        qdrant.snapshotServed("kairos", TestData.snapshot(50_000));

        ServiceApi.trigger().then().statusCode(200).body("status", equalTo("completed"));
        given().get("/q/health/ready").then().statusCode(200);
        assertThat(qdrant.creates()).singleElement()
                .satisfies(request -> assertThat(request.getAbsoluteUrl()).startsWith("https://"));
        assertThat(dir.list()).hasSize(3);
    }
}
