package dev.snapshotter.config;

import java.net.URI;
import java.net.URISyntaxException;

import org.eclipse.microprofile.config.spi.Converter;

/**
 * Accepts an absolute http or https URL for {@code QDRANT_URL} (and {@link DownloadUrl}), and says so in one
 * sentence naming the variable otherwise.
 */
public class BaseUrlConverter implements Converter<URI> {

    private final String variable;

    public BaseUrlConverter() {
        this("QDRANT_URL");
    }

    BaseUrlConverter(String variable) {
        this.variable = variable;
    }

    /** {@code QDRANT_SNAPSHOT_DOWNLOAD_URL}. */
    public static final class DrillUrl extends BaseUrlConverter {
        public DrillUrl() {
            super("QDRANT_DRILL_URL");
        }

        @Override
        public URI convert(String value) {
            return super.convert(value); // declared here so SmallRye Config sees the URI return type
        }
    }

    public static final class DownloadUrl extends BaseUrlConverter {
        public DownloadUrl() {
            super("QDRANT_SNAPSHOT_DOWNLOAD_URL");
        }

        @Override
        public URI convert(String value) {
            return super.convert(value); // declared here so SmallRye Config sees the URI return type
        }
    }

    @Override
    public URI convert(String value) {
        String trimmed = value.trim();
        try {
            URI uri = new URI(trimmed);
            String scheme = uri.getScheme();
            if (("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) && uri.getHost() != null
                    && uri.getRawUserInfo() == null && uri.getRawQuery() == null
                    && uri.getRawFragment() == null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        // A URL carrying credentials is not echoed: they would land in the log.
        String shown = trimmed.contains("@") ? "a URL with credentials in it" : "\"" + trimmed + "\"";
        throw new IllegalArgumentException(variable + " must be an http:// or https:// URL with a host and no "
                + "credentials, query or fragment, such as http://qdrant:6333, but it is " + shown + ".");
    }
}
