package dev.snapshotter.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.eclipse.microprofile.config.spi.Converter;

/** The converters of the cluster plan's variables, each failing boot with one sentence naming its variable. */
public final class ClusterSettings {

    private ClusterSettings() {
    }

    /**
     * The REST base URL of every node of the cluster, in the operator's order.
     *
     * @param urls at least one, no two alike
     */
    public record Nodes(List<URI> urls) {
    }

    /** {@code QDRANT_CLUSTER_NODES}: comma-separated http(s) base URLs, no duplicates. */
    public static final class NodesReader implements Converter<Nodes> {

        private static final String VARIABLE = "QDRANT_CLUSTER_NODES";

        @Override
        public Nodes convert(String value) {
            List<URI> urls = new ArrayList<>();
            Set<String> seen = new LinkedHashSet<>();
            for (String item : value.split(",")) {
                if (item.isBlank()) {
                    continue;
                }
                URI url;
                try {
                    url = new BaseUrlConverter().convert(item);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(VARIABLE + " " + e.getMessage().replace("must be",
                            "must be a comma-separated list of node URLs, each").replace(", but it is", ", but one is"));
                }
                String key = url.toString().replaceAll("/+$", "").toLowerCase(Locale.ROOT);
                if (!seen.add(key)) {
                    throw new IllegalArgumentException(VARIABLE + " names " + url + " twice; list each node once.");
                }
                urls.add(url);
            }
            if (urls.isEmpty()) {
                throw new IllegalArgumentException(VARIABLE + " is set but names no node; list the REST URL of every "
                        + "node (such as http://qdrant-0.qdrant-headless:6333,http://qdrant-1.qdrant-headless:6333), "
                        + "or unset it for a single Qdrant.");
            }
            return new Nodes(List.copyOf(urls));
        }
    }

    /** {@code QDRANT_CLUSTER_PARALLELISM}: nodes captured at once, 1 to 16. */
    public static final class Parallelism extends BoundedCount {
        public Parallelism() {
            super("QDRANT_CLUSTER_PARALLELISM", 1, 16, "nodes snapshotted at once");
        }

        @Override
        public Integer convert(String value) {
            return super.convert(value);
        }
    }
}
