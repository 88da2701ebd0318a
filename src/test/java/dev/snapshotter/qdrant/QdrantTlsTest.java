package dev.snapshotter.qdrant;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.QdrantStandInResource;
import dev.snapshotter.support.SecretsStayHidden;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Qdrant behind https signed by a private CA: QDRANT_CA_CERT_PATH makes every call trust it. */
@QuarkusTest
@WithTestResource(value = QdrantStandInResource.class, initArgs = @ResourceArg(name = "tls", value = "private-ca"))
@ExtendWith(SecretsStayHidden.class)
class QdrantTlsTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void snapshotsOverHttpsWithThePrivateCa() {
        qdrant.reset();
        qdrant.snapshotServed("kairos", QdrantStandIn.randomBytes(50_000));

        QdrantStandIn.trigger().then().statusCode(200).body("status", equalTo("completed"));
        given().get("/q/health/ready").then().statusCode(200);
        assertThat(qdrant.creates()).singleElement()
                .satisfies(request -> assertThat(request.getAbsoluteUrl()).startsWith("https://"));
        assertThat(qdrant.files()).hasSize(3);
    }
}
