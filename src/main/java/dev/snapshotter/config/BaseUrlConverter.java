package dev.snapshotter.config;

import java.net.URI;
import java.net.URISyntaxException;

import org.eclipse.microprofile.config.spi.Converter;

/**
 * Accepts an absolute http or https URL ({@code QDRANT_URL}, {@code QDRANT_SNAPSHOT_DOWNLOAD_URL},
 * {@code QDRANT_DRILL_URL}, {@code QDRANT_SNAPSHOT_S3_ENDPOINT}), and says so in one sentence otherwise; the sentence
 * starts at "must", and {@link BootFailure} puts the variable's name in front.
 */
public final class BaseUrlConverter implements Converter<URI> {

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
        throw new IllegalArgumentException("must be an http:// or https:// URL with a host and no credentials, query "
                + "or fragment, such as http://qdrant:6333, but it is " + shown + ".");
    }
}
