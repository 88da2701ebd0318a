package dev.snapshotter.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

import io.restassured.RestAssured;

/**
 * Runs the packaged application (the native binary when {@code native.image.path} names one, else the JVM jar) as
 * an operator would: environment variables and arguments in, exit code and console out. For boots that must fail
 * and for the container probe.
 */
public final class PackagedApp {

    private PackagedApp() {
    }

    public record Exit(int code, String output) {
    }

    /** A packaged app started with {@link #start}, serving on {@link #url()}; closing it stops it. */
    public record Running(Process process, String url, Path log) implements AutoCloseable {

        public String output() throws IOException {
            return Files.readString(log, StandardCharsets.UTF_8);
        }

        /** Waits (up to 40 s) until {@code /q/health/started} answers 200: the boot has settled. */
        public void awaitStarted() {
            Awaitility.await().atMost(Duration.ofSeconds(40)).ignoreExceptions()
                    .until(() -> RestAssured.given().baseUri(url).get("/q/health/started").statusCode() == 200);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** Starts the packaged app with this environment on a free port; it runs until closed. */
    public static Running start(Map<String, String> environment) throws IOException {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = Files.createTempFile("packaged-app-", ".log");
        log.toFile().deleteOnExit();
        ProcessBuilder builder = new ProcessBuilder(command()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("QDRANT_") || key.startsWith("QUARKUS_"));
        builder.environment().putAll(environment);
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        return new Running(builder.start(), "http://localhost:" + port, log);
    }

    private static List<String> command() {
        List<String> command = new ArrayList<>();
        String nativePath = System.getProperty("native.image.path");
        if (nativePath != null && Files.isExecutable(Path.of(nativePath))) {
            command.add(nativePath);
        } else {
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            // the JVM options the integration tests give the jar Quarkus starts (pom.xml, it.jvm.args)
            String jvmOptions = System.getProperty("quarkus.test.arg-line", "").strip();
            if (!jvmOptions.isEmpty()) {
                command.addAll(List.of(jvmOptions.split("\\s+")));
            }
            command.add("-jar");
            command.add(Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath().toString());
        }
        return command;
    }

    public static Exit runUntilExit(Map<String, String> environment, String... arguments)
            throws IOException, InterruptedException {
        List<String> command = command();
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(key -> key.startsWith("QDRANT_") || key.startsWith("QUARKUS_"));
        builder.environment().put("QUARKUS_HTTP_PORT", "0");
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("The application did not exit within 60s: "
                    + new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        return new Exit(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
