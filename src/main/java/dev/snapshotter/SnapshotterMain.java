package dev.snapshotter;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;

import dev.snapshotter.api.ListCommand;
import dev.snapshotter.config.BootFailure;
import dev.snapshotter.config.RunMode;
import dev.snapshotter.health.ContainerProbe;
import dev.snapshotter.restore.RestoreCommand;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The executable's entry point. With no argument it starts the service; {@code probe [path]} checks the health of a
 * service already running beside it and exits (see {@link ContainerProbe}); {@code --help} and {@code --version}
 * print and exit. Any other argument is an error, never a server start. A boot that fails prints the operator's
 * sentences ({@link BootFailure}), not a stack trace, and exits non-zero.
 */
@QuarkusMain
public final class SnapshotterMain {

    /** Exit code of a command line this program does not take. */
    static final int USAGE = 2;

    /**
     * What a command ({@code restore}, {@code list}) changes from the service's configuration: no server, no snapshot,
     * no schedule (of snapshots, drills or integrity checks: one would read the directory while the command does).
     */
    static final Map<String, String> COMMAND_SETTINGS = Map.of("quarkus.http.host-enabled", "false",
            "qdrant.snapshot.on-start", "false", "qdrant.snapshot.restore-if-missing", "false",
            "qdrant.snapshot.schedule", "", "qdrant.snapshot.drill-schedule", "",
            "qdrant.snapshot.verify-schedule", "");

    static final String HELP = """
            qdrant-snapshotter: verified backups of a Qdrant collection.

            Usage:
              application                 start the service (HTTP API, probes and metrics on QUARKUS_HTTP_PORT)
              application probe [path]    ask the service running beside it for a health endpoint
                                          (default /q/health/ready); exit 0 when it answers 200
              application restore [--file <name>|--latest|--before <time>] [--collection <target>]
                                  [--overwrite] [--no-aliases] [--no-safety-snapshot] [--dry-run]
                                          restore a snapshot of QDRANT_SNAPSHOT_DIR into Qdrant without the
                                          HTTP server (the newest verified one of QDRANT_COLLECTION by default;
                                          --before 2026-11-24T14:05:00Z: the newest taken before that
                                          time, --before 3h: before 3 hours ago (s, m, h, d); into the
                                          collection it was taken of unless --collection;
                                          with --overwrite, QDRANT_COLLECTION is snapshotted first unless
                                          --no-safety-snapshot; --dry-run runs the checks only, uploading
                                          nothing); prints the report; the service must not run on the same
                                          directory
              application list            print every verified backup as JSON, newest first (GET /api/snapshots
                                          without the HTTP server: those in QDRANT_SNAPSHOT_DIR and, with
                                          QDRANT_SNAPSHOT_S3_BUCKET, those only off-site); exit 1 when the
                                          bucket cannot be listed
              application --help          print this text
              application --version       print the version
              -Dkey=value arguments set configuration keys, as on the JVM's command line.

            Configuration, from the environment (see README.md for every detail):
              QDRANT_URL                            Qdrant's REST base URL (http://localhost:6333)
              QDRANT_API_KEY                        sent as the api-key header; never logged
              QDRANT_COLLECTION                     collection or alias to back up (kairos)
              QDRANT_SNAPSHOT_DIR                   where snapshots go (./data/qdrant/snapshots); one instance each
              QDRANT_SNAPSHOT_ON_START              take one snapshot at boot (false)
              QDRANT_SNAPSHOT_ON_START_REQUIRED     keep startup DOWN until the boot snapshot succeeds (false)
              QDRANT_SNAPSHOT_ON_START_MIN_INTERVAL skip the boot snapshot when a newer one exists (unset)
              QDRANT_SNAPSHOT_SCHEDULE              cron (0 0 3 * * ?) or every <duration> (unset)
              QDRANT_SNAPSHOT_SCHEDULE_RETRY        retry a failed scheduled run after (5m, doubling; 0: never)
              QDRANT_SNAPSHOT_KEEP_LAST             retention by count (unset: keep all)
              QDRANT_SNAPSHOT_KEEP_WITHIN           retention by age (unset)
              QDRANT_SNAPSHOT_KEEP_DAILY            keep each UTC day's newest, N days back (unset); also
                                                    _KEEP_WEEKLY, _KEEP_MONTHLY and _KEEP_YEARLY
              QDRANT_SNAPSHOT_API_TOKEN             bearer token of the whole /api (unset: open, with a WARN)
              QDRANT_SNAPSHOT_TIMEOUT               longest snapshot creation (30m)
              QDRANT_SNAPSHOT_STALL_TIMEOUT         longest silence in a download (60s)
              QDRANT_SNAPSHOT_DELETE_REMOTE         delete Qdrant's copy once ours is verified (true)
              QDRANT_SNAPSHOT_DOWNLOAD_URL          another route to Qdrant for downloads (QDRANT_URL)
              QDRANT_SNAPSHOT_RESTORE_IF_MISSING    restore a missing collection at boot (false)
              QDRANT_SNAPSHOT_DRILL_SCHEDULE        restore drills: cron or every <duration> (unset)
              QDRANT_SNAPSHOT_VERIFY_SCHEDULE       re-read every snapshot (integrity check): cron or every (unset)
              QDRANT_SNAPSHOT_VERIFY_OFFSITE        integrity checks read the backups only off-site too (false)
              QDRANT_DRILL_URL                      a throwaway Qdrant drills restore into (QDRANT_URL)
              QDRANT_DRILL_PREFIX                   start of a drill's scratch collection name (drill-)
              QDRANT_WAIT_TIMEOUT                   how long the boot snapshot waits for Qdrant (30s)
              QDRANT_CA_CERT_PATH                   PEM of the CA behind Qdrant's certificate (unset)
              QUARKUS_HTTP_PORT                     port of the API, probes and metrics (8080)

            Exit codes:
              0  stopped by a signal after a normal run; --help, --version; probe: healthy
              1  boot failed (a bad setting, an unusable or shared snapshot directory: one line says why);
                 probe: not healthy
              2  a command line this program does not take
              list: 0 listed; 1 the bucket (or the boot) failed
              restore: 0 restored and checked (--dry-run: the checks passed); 1 the restore (or the boot) failed;
                 3 refused before anything was uploaded to Qdrant (the file does not verify, the collection
                 exists, a version it cannot read)
            """;

    /** Package-private: Quarkus makes a {@code @QuarkusMain} class a bean, and says so at every build of a private one. */
    SnapshotterMain() {
    }

    public static void main(String... args) {
        if (args.length > 0 && ContainerProbe.COMMAND.equals(args[0])) {
            System.exit(ContainerProbe.run(Arrays.copyOfRange(args, 1, args.length)));
        }
        // the native image's entrypoint puts -Dkey=value settings before any command the operator adds
        int command = 0;
        while (command < args.length && isSetting(args[command])) {
            command++;
        }
        if (command < args.length && (RestoreCommand.COMMAND.equals(args[command])
                || ListCommand.COMMAND.equals(args[command]))) {
            String[] rest = new String[args.length - 1];
            System.arraycopy(args, 0, rest, 0, command);
            System.arraycopy(args, command + 1, rest, command, args.length - command - 1);
            String[] options = Arrays.stream(rest).filter(arg -> !isSetting(arg)).toArray(String[]::new);
            if (RestoreCommand.COMMAND.equals(args[command])) {
                command(RestoreCommand.class, RestoreCommand.parse(options, System.err) != null, rest, options);
            } else {
                command(ListCommand.class, ListCommand.parse(options, System.err), rest, options);
            }
            return;
        }
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                System.out.print(HELP);
                System.exit(0);
            } else if (arg.equals("--version")) {
                System.out.println("qdrant-snapshotter " + version());
                System.exit(0);
            } else if (!isSetting(arg)) {
                System.err.println("Unknown argument `" + arg + "`: the service takes no arguments but -Dkey=value; "
                        + "see --help.");
                System.exit(USAGE);
            }
        }
        applySettings(args);
        Quarkus.run(null, SnapshotterMain::exit);
    }

    /** Sets the {@code -Dkey=value} arguments as system properties. */
    private static void applySettings(String[] args) {
        for (String arg : args) {
            if (isSetting(arg)) {
                int equals = arg.indexOf('=');
                System.setProperty(arg.substring(2, equals), arg.substring(equals + 1));
            }
        }
    }

    /** Ends the process with Quarkus's exit code, a failed boot said in one line a sentence first. */
    private static void exit(int exitCode, Throwable failure) {
        if (failure != null) {
            BootFailure.describe(failure).forEach(sentence -> System.err.println("Boot failed: " + sentence));
        }
        System.exit(exitCode);
    }

    private static boolean isSetting(String arg) {
        return arg.startsWith("-D") && arg.indexOf('=') > 2;
    }

    /**
     * {@code restore ...} or {@code list}: the service's beans without its server, snapshots or schedules (see
     * {@link #COMMAND_SETTINGS}), for one command; its {@code -Dkey=value} arguments set keys, the options go to it.
     */
    private static void command(Class<? extends QuarkusApplication> command, boolean valid, String[] args,
            String[] options) {
        if (!valid) {
            System.exit(USAGE);
        }
        RunMode.command();
        COMMAND_SETTINGS.forEach(System::setProperty);
        applySettings(args);
        Quarkus.run(command, SnapshotterMain::exit, options);
    }

    static String version() {
        Properties properties = new Properties();
        try (InputStream in = SnapshotterMain.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            // reported as unknown
        }
        return properties.getProperty("version", "(version unknown)");
    }
}
