package dev.snapshotter.health;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The container's own health check ({@code application probe}): one HTTP GET of a health endpoint of the service
 * running beside it, on loopback, exit code 0 when it answers 200 and 1 otherwise. It lets images with no curl or
 * wget (the native micro image) keep a Docker {@code HEALTHCHECK} and compose's {@code service_healthy} gate.
 * <p>
 * It runs before Quarkus starts and touches nothing else of the application: a plain socket, no TLS, no
 * configuration but the port ({@code QUARKUS_HTTP_PORT}, 8080 when unset).
 */
public final class ContainerProbe {

    public static final String COMMAND = "probe";
    static final String DEFAULT_PATH = "/q/health/ready";
    private static final int TIMEOUT_MILLIS = 3000;

    private ContainerProbe() {
    }

    /**
     * @param args what follows {@code probe} on the command line: optionally the path to check
     * @return the process exit code
     */
    public static int run(String[] args) {
        String path = args.length > 0 ? args[0] : DEFAULT_PATH;
        if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c == 127)) {
            System.err.println("probe: the path must start with / and hold no spaces or control characters");
            return 2;
        }
        int port;
        try {
            port = port(System.getenv("QUARKUS_HTTP_PORT"));
        } catch (IllegalArgumentException e) {
            System.err.println("probe: " + e.getMessage());
            return 2;
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String statusLine = statusLine(socket.getInputStream());
            System.out.println("probe: GET " + path + " on port " + port + ": " + statusLine);
            return isOk(statusLine) ? 0 : 1;
        } catch (IOException e) {
            System.out.println("probe: GET " + path + " on port " + port + " failed: " + e.getMessage());
            return 1;
        }
    }

    static int port(String value) {
        if (value == null || value.isBlank()) {
            return 8080;
        }
        try {
            int port = Integer.parseInt(value.trim());
            if (port > 0 && port < 65536) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("QUARKUS_HTTP_PORT must be a port number from 1 to 65535");
    }

    static boolean isOk(String statusLine) {
        String[] parts = statusLine.split(" ", 3);
        return parts.length >= 2 && parts[0].startsWith("HTTP/") && parts[1].equals("200");
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != -1 && b != '\n' && line.length() < 200) {
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.length() == 0 ? "no answer" : line.toString();
    }
}
