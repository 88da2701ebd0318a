package dev.snapshotter.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.quarkus.test.common.PropertyTestUtil;
import io.restassured.RestAssured;
import io.restassured.filter.Filter;

/**
 * Runs a test class of the fault matrix with the credentials of {@link QdrantStandIn} and proves afterwards that
 * none of them ({@link QdrantStandIn#SECRET_MARKER}) reached a log line of the app (with the messages of the
 * exceptions logged), a response of any request the class made (headers and body), the metrics or the health
 * output. In this JVM, the log lines are those from before the app booted when a stand-in captured them
 * ({@link BootLogResource}), else those from the start of the class. Against the packaged app, its log file
 * ({@code target/quarkus.log}, or the one {@code quarkus.log.file.path} names) is read as well.
 */
public final class SecretsStayHidden implements BeforeAllCallback, AfterAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SecretsStayHidden.class);
    /** The stand-ins' own logs (WireMock prints the requests it did not match, headers included) are not the app's. */
    /** The test's own HTTP client (REST Assured) logs the bearer token it sends at DEBUG: not the app's either. */
    private static final List<String> NOT_THE_APP = List.of("com.github.tomakehurst", "WireMock", "wiremock",
            "org.eclipse.jetty", "io.quarkus.test", "org.apache.http");

    /** @param boot the stand-in's capture from before the app booted ({@link BootLogResource}); null without one */
    private record Seen(LogCapture logs, LogCapture boot, List<String> responses, Filter filter, AtomicInteger port) {
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        List<String> responses = new CopyOnWriteArrayList<>();
        AtomicInteger port = new AtomicInteger();
        Filter filter = (request, response, ctx) -> {
            port.set(request.getPort());
            var answer = ctx.next(request, response);
            responses.add(request.getMethod() + " " + request.getURI() + " -> " + answer.getStatusLine() + "\n"
                    + answer.getHeaders() + "\n" + answer.asString());
            return answer;
        };
        RestAssured.filters(filter);
        context.getStore(NAMESPACE).put(Seen.class, new Seen(LogCapture.install(), BootLogResource.current(), responses,
                filter, port));
    }

    /** The lines the app wrote, without those of the stand-ins and the test's HTTP client. */
    public static List<String> appLines(LogCapture capture) {
        return capture.lines().stream()
                .filter(line -> NOT_THE_APP.stream().noneMatch(line.split(" ", 3)[1]::startsWith)).toList();
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        Seen seen = context.getStore(NAMESPACE).remove(Seen.class, Seen.class);
        try {
            // the boot's lines too, when the stand-in captured them: this extension starts after the app has booted
            List<String> logs = appLines(seen.boot() != null ? seen.boot() : seen.logs());
            Path packagedLog = PropertyTestUtil.getLogFilePath();
            List<String> fileLog = Files.exists(packagedLog) ? Files.readAllLines(packagedLog) : List.of();
            // first, so that a class whose tests failed before any request says so, not that port 0 is invalid
            assertThat(seen.responses()).as("responses the tests saw").isNotEmpty()
                    .noneSatisfy(r -> assertThat(r).contains(QdrantStandIn.SECRET_MARKER));
            // the app still runs, but Quarkus has already reset RestAssured's port: use the one the tests used
            String metrics = RestAssured.given().port(seen.port().get()).get("/q/metrics").asString();
            String health = RestAssured.given().port(seen.port().get()).get("/q/health").asString();

            assertThat(logs).as("app log lines").noneSatisfy(l -> assertThat(l).contains(QdrantStandIn.SECRET_MARKER));
            assertThat(fileLog).as("packaged app log").noneSatisfy(l -> assertThat(l).contains(QdrantStandIn.SECRET_MARKER));
            assertThat(metrics).as("metrics").contains("snapshotter_runs").doesNotContain(QdrantStandIn.SECRET_MARKER);
            assertThat(health).as("health").doesNotContain(QdrantStandIn.SECRET_MARKER);
        } finally {
            seen.logs().close();
            List<Filter> remaining = new java.util.ArrayList<>(RestAssured.filters());
            remaining.remove(seen.filter());
            RestAssured.replaceFiltersWith(remaining);
        }
    }
}
