package dev.snapshotter.qdrant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.FaultyDownloadServer;
import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.LogCapture;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.QdrantStandInResource;
import dev.snapshotter.support.SecretsStayHidden;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A control call (here the alias list) answered with an error body of 64 MiB: the report and the log hold its
 * first 4 KiB and say it was cut. Unlike the download, the REST client buffers a control call's body before our
 * code sees it, so memory grows by the body's size for the length of that call (see docs/failure-semantics.md).
 */
@QuarkusTest
@WithTestResource(value = QdrantStandInResource.class, initArgs = @ResourceArg(name = "control", value = "faulty"))
@ExtendWith(SecretsStayHidden.class)
class HugeErrorBodyTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void reportsOnlyTheHeadOfAHugeControlErrorBody() {
        qdrant.faulty().plan(new FaultyDownloadServer.HugeError(500, 64L * 1024 * 1024));

        String message;
        try (LogCapture logs = LogCapture.install()) {
            message = QdrantStandIn.trigger().then().statusCode(502)
                    .body("targets[0].message", containsString("Qdrant answered 500"))
                    .body("targets[0].message", containsString("(truncated)"))
                    .extract().path("targets[0].message");
            assertThat(logs.lines()).filteredOn(line -> line.startsWith("ERROR")).singleElement()
                    .satisfies(line -> assertThat(line.length()).isLessThan(6 * 1024));
        }
        assertThat(message.length()).isLessThan(5 * 1024);
        assertThat(qdrant.files()).isEmpty();
    }
}
