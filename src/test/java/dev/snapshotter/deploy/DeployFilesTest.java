package dev.snapshotter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

/**
 * What operators copy from {@code deploy/} and {@code src/main/docker/}: health checks that outlast the longest boot
 * snapshot and answer in time, and the restricted Pod Security Standard. Plain JUnit over the files' text.
 */
class DeployFilesTest {

    /** QDRANT_WAIT_TIMEOUT as the deploy files set it, plus QDRANT_SNAPSHOT_TIMEOUT's default. */
    static final Duration LONGEST_BOOT = Duration.ofSeconds(60).plus(Duration.ofMinutes(30));

    @Test
    void composeWaitsOutTheLongestBootSnapshotAndDropsPrivileges() throws Exception {
        String compose = Files.readString(Path.of("deploy", "docker-compose.yml"));

        assertThat(duration(compose, "start_period:\\s*(\\S+)")).isGreaterThan(LONGEST_BOOT);
        assertThat(compose).contains("read_only: true", "cap_drop: [\"ALL\"]", "no-new-privileges:true")
                .contains("\"/work/application\", \"probe\"");
    }

    @Test
    void kubernetesProbesOutwaitTheReadinessCheckAndThePodIsRestricted() throws Exception {
        String sidecar = Files.readString(Path.of("deploy", "kubernetes", "snapshotter-sidecar.yaml"));

        for (String probe : new String[] { "startupProbe", "readinessProbe", "livenessProbe" }) {
            Matcher block = Pattern.compile(probe + ":\\n((?: {12}.*\\n)+)").matcher(sidecar);
            assertThat(block.find()).as(probe).isTrue();
            Matcher timeout = Pattern.compile("timeoutSeconds: (\\d+)").matcher(block.group(1));
            assertThat(timeout.find()).as(probe + " sets timeoutSeconds (the default 1 s is shorter than the check)")
                    .isTrue();
            assertThat(Integer.parseInt(timeout.group(1))).as(probe).isGreaterThanOrEqualTo(3);
        }
        Matcher startup = Pattern.compile("periodSeconds: (\\d+)\\n\\s+timeoutSeconds: \\d+\\n\\s+failureThreshold: (\\d+)")
                .matcher(sidecar);
        assertThat(startup.find()).isTrue();
        assertThat(Duration.ofSeconds(Long.parseLong(startup.group(1)) * Long.parseLong(startup.group(2))))
                .isGreaterThan(LONGEST_BOOT);
        assertThat(sidecar).contains("runAsNonRoot: true", "allowPrivilegeEscalation: false",
                "readOnlyRootFilesystem: true", "drop: [\"ALL\"]", "type: RuntimeDefault", "mountPath: /tmp");
    }

    @Test
    void imagesCheckHealthWithTheProbeModeAndOutwaitTheBootSnapshot() throws Exception {
        for (String dockerfile : new String[] { "Dockerfile.jvm", "Dockerfile.native-micro",
                "Dockerfile.native-multistage" }) {
            String text = Files.readString(Path.of("src", "main", "docker", dockerfile));
            // the instruction with its continuation lines
            Matcher check = Pattern.compile("HEALTHCHECK ((?:[^\n]*\\\\\n)*[^\n]*)").matcher(text);
            assertThat(check.find()).as(dockerfile).isTrue();
            assertThat(check.group(1)).as(dockerfile).contains(dockerfile.endsWith("jvm") ? "/q/health/ready"
                    : "\"probe\"").doesNotContain("curl").doesNotContain("java");
            assertThat(duration(check.group(1), "--start-period=(\\S+)")).as(dockerfile).isGreaterThan(LONGEST_BOOT);
        }
    }

    /**
     * The JVM image's health check runs as written in the Dockerfile, with bash alone: healthy on a 200 from readiness,
     * unhealthy on a 503 and when nothing listens. It used to start a second JVM every 5 s, in the container's memory.
     */
    @Test
    void theJvmImagesHealthCheckAsksReadinessWithoutAJvm() throws Exception {
        String text = Files.readString(Path.of("src", "main", "docker", "Dockerfile.jvm"));
        Matcher cmd = Pattern.compile("HEALTHCHECK [^\n]*\\\n\s*CMD (\\[.*\\])\n").matcher(text);
        assertThat(cmd.find()).isTrue();
        List<String> command = new ObjectMapper().readValue(cmd.group(1), new TypeReference<List<String>>() {
        });
        assertThat(command.get(0)).isEqualTo("bash");

        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicInteger status = new AtomicInteger(200);
        List<String> asked = new CopyOnWriteArrayList<>();
        server.createContext("/", exchange -> {
            asked.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        server.start();
        try {
            int port = server.getAddress().getPort();
            assertThat(exitOf(command, port)).as("ready").isZero();
            assertThat(asked).containsExactly("GET /q/health/ready");
            status.set(503);
            assertThat(exitOf(command, port)).as("not ready").isNotZero();
        } finally {
            server.stop(0);
        }
        try (ServerSocket closed = new ServerSocket(0)) {
            int free = closed.getLocalPort();
            closed.close();
            assertThat(exitOf(command, free)).as("nothing listening").isNotZero();
        }
    }

    private static int exitOf(List<String> command, int port) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
        Process process = builder.start();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("the check ends").isTrue();
        return process.exitValue();
    }

    /** A crash-looping pod must not fill its volume: every shipped example bounds the directory and says why. */
    @Test
    void examplesBoundTheDirectoryEvenInACrashLoop() throws Exception {
        String compose = Files.readString(Path.of("deploy", "docker-compose.yml"));
        String sidecar = Files.readString(Path.of("deploy", "kubernetes", "snapshotter-sidecar.yaml"));

        assertThat(compose).containsPattern("QDRANT_SNAPSHOT_ON_START_MIN_INTERVAL: \\S+")
                .containsPattern("QDRANT_SNAPSHOT_KEEP_LAST: \"\\d+\"")
                .containsPattern("QDRANT_SNAPSHOT_KEEP_WITHIN: \\S+")
                .containsPattern("QDRANT_SNAPSHOT_ON_START_REQUIRED: \"true\"")
                .containsPattern("#[^\\n]*crash");
        for (String variable : new String[] { "QDRANT_SNAPSHOT_ON_START_MIN_INTERVAL", "QDRANT_SNAPSHOT_KEEP_LAST",
                "QDRANT_SNAPSHOT_KEEP_WITHIN", "QDRANT_SNAPSHOT_ON_START_REQUIRED" }) {
            assertThat(sidecar).containsPattern("- name: " + variable + "\\n\\s+value: \\S+");
        }
        assertThat(sidecar).containsPattern("#[^\\n]*crash loop");
    }

    private static Duration duration(String text, String pattern) {
        Matcher matcher = Pattern.compile(pattern).matcher(text);
        assertThat(matcher.find()).as(pattern).isTrue();
        String value = matcher.group(1);
        long amount = Long.parseLong(value.substring(0, value.length() - 1));
        return switch (value.charAt(value.length() - 1)) {
            case 'h' -> Duration.ofHours(amount);
            case 'm' -> Duration.ofMinutes(amount);
            default -> Duration.ofSeconds(amount);
        };
    }

    /** The PrometheusRule carries exactly the rules that CI checks and unit-tests in deploy/prometheus. */
    @Test
    void thePrometheusRuleHoldsTheTestedAlertRules() throws Exception {
        String rules = Files.readString(Path.of("deploy", "prometheus", "alerts.yaml"));
        String operator = Files.readString(Path.of("deploy", "kubernetes", "prometheus-operator.yaml"));

        String groups = rules.substring(rules.indexOf("\ngroups:") + 1);
        String rule = operator.substring(operator.indexOf("kind: PrometheusRule"));
        String spec = rule.substring(rule.indexOf("\nspec:\n") + "\nspec:\n".length());
        assertThat(spec.replaceAll("(?m)^  ", "")).isEqualTo(groups);
        assertThat(operator).contains("kind: ServiceMonitor", "path: /q/metrics", "replacement: qdrant-snapshotter");
    }

    /**
     * Both ways to run the service beside its Qdrant set retention, the crash-loop guard and the fail-closed gate,
     * and explain every setting in a comment just above it.
     */
    @Test
    void theDeploymentExamplesSetTheSafeguardsAndExplainEverySetting() throws Exception {
        for (Path file : new Path[] { Path.of("deploy", "kubernetes", "snapshotter-sidecar.yaml"),
                Path.of("deploy", "helm", "qdrant-values.yaml") }) {
            String text = Files.readString(file);
            assertThat(text).as(file.toString()).contains("name: QDRANT_SNAPSHOT_KEEP_LAST",
                    "name: QDRANT_SNAPSHOT_ON_START_MIN_INTERVAL", "name: QDRANT_SNAPSHOT_ON_START_REQUIRED");
            String[] lines = text.split("\n");
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].strip().startsWith("- name: QDRANT_")) {
                    assertThat(lines[i - 1].strip()).as(file + ": the line above " + lines[i].strip()).startsWith("#");
                }
            }
        }
        assertThat(Files.readString(Path.of("deploy", "helm", "qdrant-values.yaml"))).contains("sidecarContainers:",
                "additionalVolumes:", "subPath: qdrant-snapshotter");
    }
}
