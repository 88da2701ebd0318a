package dev.snapshotter.api;

import java.io.PrintStream;
import java.util.List;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.snapshotter.store.SnapshotFailure;

import io.quarkus.runtime.QuarkusApplication;

/**
 * {@code list}: the catalog of {@code GET /api/snapshots} on the command line, for disaster recovery without the HTTP
 * server (a pod that no longer boots, a Job beside a lost volume). Every verified backup, newest first, local and with
 * off-site copies on those only in the bucket, printed as the same JSON; {@code restore --file <name>} takes any of
 * them. Exits {@link #LISTED}, or {@link #FAILED} with one line saying why (the bucket could not be listed). The
 * executable refuses any option before the boot ({@link #parse}, exit 2) and starts it as it does {@code restore}: no
 * server, no snapshot, no schedule.
 */
@Singleton
public class ListCommand implements QuarkusApplication {

    public static final String COMMAND = "list";
    /** The backups were listed (none is an empty list). */
    public static final int LISTED = 0;
    /** The bucket (or the directory) could not be read, or the boot failed. */
    public static final int FAILED = 1;

    private final SnapshotCatalogResource catalog;
    private final ObjectMapper json;

    ListCommand(SnapshotCatalogResource catalog, ObjectMapper json) {
        this.catalog = catalog;
        this.json = json;
    }

    /** Whether these options are ones the command takes (it takes none); the reason printed if not. */
    public static boolean parse(String[] options, PrintStream err) {
        if (options.length > 0) {
            err.println("list: unknown option `" + options[0] + "`; see --help.");
            return false;
        }
        return true;
    }

    @Override
    public int run(String... args) throws JsonProcessingException {
        // the executable refused any option before the boot (parse)
        List<SnapshotCatalogResource.Listed> listed;
        try {
            listed = catalog.list();
        } catch (SnapshotFailure e) {
            System.err.println("List failed: " + e.getMessage());
            return FAILED;
        }
        System.out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(listed));
        return LISTED;
    }
}
