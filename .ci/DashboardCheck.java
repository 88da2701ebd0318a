import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks deploy/grafana/qdrant-snapshotter.json against what the service really publishes: every metric a panel
 * queries must appear in a scrape the tests saved to target/metrics/ (the packaged app's, with and without off-site
 * copies), and every query is written out as a recording rule to target/dashboard-rules.yaml, which
 * `promtool check rules` then parses as PromQL (.ci/run runs both).
 *
 * Run from the repository root: java .ci/DashboardCheck.java
 */
public class DashboardCheck {

    static final Pattern EXPR = Pattern.compile("\"expr\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    static final Pattern METRIC = Pattern.compile("\\b(snapshotter_[a-z_]+)\\b");
    static final Pattern SERIES = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");

    public static void main(String[] args) throws IOException {
        String dashboard = Files.readString(Path.of("deploy", "grafana", "qdrant-snapshotter.json"));
        Set<String> published = new TreeSet<>();
        try (Stream<Path> scrapes = Files.list(Path.of("target", "metrics"))) {
            for (Path scrape : scrapes.filter(p -> p.toString().endsWith(".txt")).toList()) {
                Matcher series = SERIES.matcher(Files.readString(scrape));
                while (series.find()) {
                    published.add(series.group(1));
                }
            }
        }
        List<String> exprs = new ArrayList<>();
        Matcher expr = EXPR.matcher(dashboard);
        while (expr.find()) {
            exprs.add(expr.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
        }
        if (exprs.isEmpty()) {
            fail("the dashboard has no query");
        }
        Set<String> unknown = new TreeSet<>();
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (int i = 0; i < exprs.size(); i++) {
            Matcher metric = METRIC.matcher(exprs.get(i));
            while (metric.find()) {
                if (!published.contains(metric.group(1))) {
                    unknown.add(metric.group(1));
                }
            }
            String promql = exprs.get(i).replace("$__rate_interval", "5m").replace("$instance", ".*");
            rules.append("      - record: dashboard:query_").append(i + 1).append("\n        expr: '")
                    .append(promql.replace("'", "''")).append("'\n");
        }
        if (!Files.exists(Path.of("target", "metrics", "offsite.txt"))
                && unknown.removeIf(name -> name.startsWith("snapshotter_offsite_"))) {
            System.out.println("WARNING: no off-site scrape (the S3 tests were skipped): the off-site panels' metrics "
                    + "were not checked");
        }
        if (!unknown.isEmpty()) {
            fail("the dashboard queries metrics no scrape in target/metrics/ has: " + unknown);
        }
        Files.writeString(Path.of("target", "dashboard-rules.yaml"), rules);
        System.out.println("Dashboard check: " + exprs.size() + " queries, every metric published; PromQL in "
                + "target/dashboard-rules.yaml");
    }

    static void fail(String message) {
        System.err.println("Dashboard check failed: " + message);
        System.exit(1);
    }
}
