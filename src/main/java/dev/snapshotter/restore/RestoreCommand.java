package dev.snapshotter.restore;

import java.io.PrintStream;
import java.time.Instant;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.QuarkusApplication;

/**
 * {@code restore [--file <name>|--latest|--before <time|ago>] [--collection <target>] [--overwrite] [--no-aliases]
 * [--no-safety-snapshot] [--dry-run]}: the restore of the API, for disaster recovery without the HTTP server, reading
 * the same variables. Prints the report as JSON and exits {@link #RESTORED}, {@link #FAILED} or {@link #REFUSED}. The
 * executable starts it with the HTTP server, the boot snapshot, the boot restore and the schedules off, and passes it
 * the options without the {@code -Dkey=value} settings.
 */
@Singleton
public class RestoreCommand implements QuarkusApplication {

    public static final String COMMAND = "restore";
    /** Restored and checked, or a dry run's checks passed. */
    public static final int RESTORED = 0;
    /** Qdrant failed the upload, or a post-check failed (or the boot did). */
    public static final int FAILED = 1;
    /** The command line is not one this command takes. */
    public static final int USAGE = 2;
    /** Refused before anything was uploaded to Qdrant (a safety snapshot may have been taken). */
    public static final int REFUSED = 3;

    private final RestoreService restores;
    private final ObjectMapper json;

    RestoreCommand(RestoreService restores, ObjectMapper json) {
        this.restores = restores;
        this.json = json;
    }

    /** Parses the command's options; null (with the reason printed) when they are not ones it takes. */
    public static RestoreService.Request parse(String[] args, PrintStream err) {
        String file = null;
        String collection = null;
        Instant before = null;
        boolean overwrite = false;
        boolean aliases = true;
        boolean safetySnapshot = true;
        boolean latest = false;
        boolean dryRun = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--file", "--collection", "--before" -> {
                    if (i + 1 >= args.length || args[i + 1].isBlank() || args[i + 1].startsWith("--")) {
                        err.println("restore: " + arg + " needs a value; see --help.");
                        return null;
                    }
                    String value = args[++i];
                    switch (arg) {
                        case "--file" -> file = value;
                        case "--collection" -> collection = value;
                        default -> {
                            before = before(value);
                            if (before == null) {
                                err.println("restore: --before must be a time with its UTC offset, like "
                                        + "2026-11-24T14:05:00Z, or how long ago, like 90m, 3h or 2d, but it is \""
                                        + value + "\"; see --help.");
                                return null;
                            }
                        }
                    }
                }
                case "--latest" -> latest = true;
                case "--overwrite" -> overwrite = true;
                case "--no-aliases" -> aliases = false;
                case "--no-safety-snapshot" -> safetySnapshot = false;
                case "--dry-run" -> dryRun = true;
                default -> {
                    err.println("restore: unknown option `" + arg + "`; see --help.");
                    return null;
                }
            }
        }
        if ((latest ? 1 : 0) + (file != null ? 1 : 0) + (before != null ? 1 : 0) > 1) {
            err.println("restore: --file, --latest and --before exclude each other; see --help.");
            return null;
        }
        return new RestoreService.Request(file, before, collection, overwrite, aliases, safetySnapshot, dryRun);
    }

    /**
     * The time of {@code --before}: ISO 8601 with its offset, as {@code POST /api/restore} takes it, or, for an operator
     * at a prompt, how long before now ({@code 90m}, {@code 3h}, {@code 2d}; {@code s}, {@code m}, {@code h} or
     * {@code d}); null when it is neither.
     */
    static Instant before(String value) {
        try {
            return RestoreService.Request.before(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public int run(String... args) throws JsonProcessingException {
        RestoreService.Request request = parse(args, System.err);
        if (request == null) {
            return USAGE;
        }
        try {
            RestoreReport report = restores.restore(request);
            System.out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(report));
            return report.status() == RestoreReport.Status.FAILED ? FAILED : RESTORED;
        } catch (RestoreRefused e) {
            System.err.println("Restore refused: " + e.getMessage());
            return REFUSED;
        }
    }
}
