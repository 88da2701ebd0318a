package dev.snapshotter.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.snapshotter.support.PackagedApp;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;

/**
 * The container health check: the packaged executable's {@code probe} mode, run the way Docker runs it, against
 * the packaged service (and the native binary when one is built).
 */
@QuarkusIntegrationTest
@WithQdrantStandIn
class ContainerProbeIT {

    @Test
    void passesOnceTheServiceIsReady() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            PackagedApp.Exit exit = probe(RestAssured.port);
            assertThat(exit.code()).as(exit.output()).isZero();
            assertThat(exit.output()).contains("GET /q/health/ready", "200");
        });
    }

    @Test
    void failsWhenThePathAnswersOtherThan200() throws Exception {
        PackagedApp.Exit exit = probe(RestAssured.port, "/q/health/nowhere");

        assertThat(exit.code()).as(exit.output()).isEqualTo(1);
        assertThat(exit.output()).contains("404");
    }

    @Test
    void failsWhenNothingListens() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }

        PackagedApp.Exit exit = probe(closedPort);

        assertThat(exit.code()).as(exit.output()).isEqualTo(1);
        assertThat(exit.output()).contains("failed");
    }

    @Test
    void refusesABadPortSetting() throws Exception {
        PackagedApp.Exit exit = PackagedApp.runUntilExit(Map.of("QUARKUS_HTTP_PORT", "http"), "probe");

        assertThat(exit.code()).as(exit.output()).isEqualTo(2);
        assertThat(exit.output()).contains("QUARKUS_HTTP_PORT must be a port number");
    }

    private static PackagedApp.Exit probe(int port, String... path) throws Exception {
        String[] arguments = new String[path.length + 1];
        arguments[0] = "probe";
        System.arraycopy(path, 0, arguments, 1, path.length);
        return PackagedApp.runUntilExit(Map.of("QUARKUS_HTTP_PORT", Integer.toString(port)), arguments);
    }
}
