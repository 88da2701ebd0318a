package dev.snapshotter.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.restassured.RestAssured;

/** Reads {@code /q/metrics} as Prometheus would. */
public final class Scrape {

    private Scrape() {
    }

    public static String metrics() {
        return RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** The value of one series, such as {@code snapshotter_in_progress{target="qdrant"}}, in a fresh scrape. */
    public static double value(String series) {
        return value(metrics(), series);
    }

    /** The value of one series in {@code metrics}; fails when the series is absent. */
    public static double value(String metrics, String series) {
        Matcher matcher = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        assertThat(matcher.find()).as("series %s in /q/metrics", series).isTrue();
        return Double.parseDouble(matcher.group(1));
    }
}
