package dev.snapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.LogCapture;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * An operator chasing a problem turns every log category to DEBUG: the api-key still reaches no log line. The JDK's
 * HTTP client, which downloads the snapshot, logs the headers of every request at that level unless pinned.
 */
@QuarkusTest
@WithQdrantStandIn(config = { @ResourceArg(name = "quarkus.log.level", value = "DEBUG"),
        @ResourceArg(name = "quarkus.log.console.level", value = "INFO") })
@ExtendWith(SecretsStayHidden.class)
class DebugLoggingSecretsTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @Test
    void keepsTheApiKeyOutOfDebugLogs() {
        qdrant.reset();
        qdrant.snapshotServed("kairos", TestData.snapshot(70_000));
        try (LogCapture logs = LogCapture.install()) {
            ServiceApi.trigger().then().statusCode(200).body("status", equalTo("completed"));

            List<String> lines = SecretsStayHidden.appLines(logs);
            assertThat(lines).as("the app wrote DEBUG lines, so the level took effect")
                    .anyMatch(line -> line.startsWith("DEBUG dev.snapshotter"));
            assertThat(lines).noneMatch(line -> line.contains(QdrantStandIn.SECRET_MARKER));
        }
    }
}
