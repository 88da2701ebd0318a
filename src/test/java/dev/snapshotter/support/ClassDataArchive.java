package dev.snapshotter.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Writes the class-data archive the integration tests' JVM boots map (pom.xml, {@code it.class-archive}): the packaged
 * jar is started once with {@code -XX:ArchiveClassesAtExit}, asked what the tests ask of it (health, metrics, the API,
 * a run that fails on an unreachable Qdrant), and stopped; the JVM writes the classes it loaded as it exits. Each of the
 * some 150 boots of the integration tests then starts sooner (on 2 cores, 2.2 s instead of 3.3 s alone; the whole
 * failsafe run about 40 s sooner). Run by Maven before the integration tests (exec-maven-plugin); JDK classes only, so it
 * runs from the test classes directory alone.
 * <p>
 * Only a speed-up: when no archive comes of it, this says so and the tests boot without one. A missing or stale
 * archive is ignored by the JVM (its warnings are switched off with {@code -Xlog:cds*=off} in the tests' options).
 */
public final class ClassDataArchive {

    private ClassDataArchive() {
    }

    /** Arguments: the archive to write, the jar, and the JVM options the tests start the jar with (one argument). */
    public static void main(String[] args) throws Exception {
        Path archive = Path.of(args[0]).toAbsolutePath();
        Path jar = Path.of(args[1]).toAbsolutePath();
        long started = System.nanoTime();
        Files.deleteIfExists(archive);
        Path dir = Files.createTempDirectory("snapshots-archive-");
        Path log = dir.resolve("app.log");
        int port = unusedPort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String jvmOptions = args.length > 2 ? args[2].strip() : "";
        if (!jvmOptions.isEmpty()) {
            command.addAll(List.of(jvmOptions.split("\\s+")));
        }
        command.addAll(List.of("-XX:ArchiveClassesAtExit=" + archive, "-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("QDRANT_") || key.startsWith("QUARKUS_"));
        // a Qdrant that refuses connections: the run below fails as fast as it can
        builder.environment().put("QDRANT_URL", "http://127.0.0.1:" + unusedPort());
        builder.environment().put("QDRANT_COLLECTION", "kairos");
        builder.environment().put("QDRANT_SNAPSHOT_DIR", dir.resolve("snapshots").toString());
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        Process app = builder.start();
        String output;
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            String base = "http://127.0.0.1:" + port;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (status(http, "GET", base + "/q/health/started") != 200) {
                if (!app.isAlive() || System.nanoTime() > deadline) {
                    break;
                }
                Thread.sleep(100);
            }
            for (String path : List.of("/q/health", "/q/health/ready", "/q/metrics", "/q/openapi", "/api/snapshots",
                    "/api/runs")) {
                status(http, "GET", base + path);
            }
            status(http, "POST", base + "/api/snapshot");
        } finally {
            app.destroy();
            if (!app.waitFor(60, TimeUnit.SECONDS)) {
                app.destroyForcibly();
            }
            output = Files.readString(log);
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
        if (Files.exists(archive)) {
            System.out.printf("Class-data archive for the integration tests: %s (%d MiB, %.1f s)%n", archive,
                    Files.size(archive) >> 20, (System.nanoTime() - started) / 1e9);
        } else {
            System.out.println("No class-data archive for the integration tests (they boot without one); the jar said:\n"
                    + output);
        }
    }

    private static int unusedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static int status(HttpClient http, String method, String url) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                    .method(method, HttpRequest.BodyPublishers.noBody()).build();
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
