package dev.snapshotter.qdrant;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
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

/** Qdrant behind https signed by a private CA the service was not given: a clear certificate error, no file. */
@QuarkusTest
@WithQdrantStandIn(tls = WithQdrantStandIn.Tls.UNTRUSTED)
@ExtendWith(SecretsStayHidden.class)
class QdrantTlsUntrustedTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    SnapshotDir dir;

    @Test
    void failsWithACertificateErrorWithoutTheCa() {
        qdrant.reset();
        SnapshotDir.Earlier earlier = dir.plantEarlierSnapshot();
        qdrant.snapshotServed("kairos", TestData.snapshot(1000));

        ServiceApi.trigger().then().statusCode(502)
                .body("targets[0].status", equalTo("failed"))
                .body("targets[0].message", containsString("TLS"))
                .body("targets[0].message", containsString("unable to find valid certification path"))
                .body("targets[0].message", containsString("QDRANT_CA_CERT_PATH"));
        given().get("/q/health/ready").then().statusCode(503);
        org.assertj.core.api.Assertions.assertThat(qdrant.creates()).isEmpty();
        dir.assertOnly(earlier);
    }
}
