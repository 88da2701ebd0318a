import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import com.sun.net.httpserver.HttpServer;

/**
 * The benchmark's upload sink: reads every byte of a request body (as Qdrant spools an upload) with a 1 MiB buffer,
 * then answers Qdrant's 200 {@code true}. Usage: java bench/Drain.java <port>
 */
public class Drain {
    public static void main(String[] args) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 16);
        server.createContext("/", exchange -> {
            byte[] buffer = new byte[1 << 20];
            long total = 0;
            try (InputStream in = exchange.getRequestBody()) {
                for (int read; (read = in.read(buffer)) > 0;) {
                    total += read;
                }
            }
            byte[] answer = "{\"result\":true,\"status\":\"ok\",\"time\":0.00001}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add("X-Bytes-Received", Long.toString(total));
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        server.start();
    }
}
