import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

/**
 * Checks what `./mvnw package -Dquarkus.native.sources-only=true` wrote to target/native-sources: the inputs a
 * native-image builder would get. A regression that would only show in a user's native build (a JSON record
 * Jackson cannot reflect on, https missing, a REST client not generated) fails here instead.
 *
 * Run from the repository root: java .ci/NativeSourcesCheck.java [target/native-sources]
 */
public class NativeSourcesCheck {

    /** Classes Jackson (de)serialises by reflection: Qdrant's envelopes, our report and manifest, our problem document. */
    static final List<String> REFLECTED = List.of(
            "dev.snapshotter.qdrant.QdrantResponse",
            "dev.snapshotter.snapshot.QdrantSnapshotTarget$RetentionPreview",
            "dev.snapshotter.store.Retention$PlacePreview",
            "dev.snapshotter.store.Retention$BackupVerdict",
            "dev.snapshotter.qdrant.QdrantResponse$Aliases",
            "dev.snapshotter.qdrant.QdrantResponse$Alias",
            "dev.snapshotter.qdrant.QdrantResponse$Exists",
            "dev.snapshotter.qdrant.SnapshotDescription",
            "dev.snapshotter.qdrant.CollectionInfo",
            "dev.snapshotter.qdrant.QdrantClient$VersionInfo",
            "dev.snapshotter.snapshot.SnapshotReport",
            "dev.snapshotter.snapshot.SnapshotReport$TargetReport",
            "dev.snapshotter.snapshot.SnapshotReport$Reason",
            "dev.snapshotter.snapshot.SnapshotReport$Status",
            "dev.snapshotter.snapshot.SnapshotReport$SetMember",
            "dev.snapshotter.snapshot.RunView",
            "dev.snapshotter.store.SnapshotCatalog$Member",
            "dev.snapshotter.store.Manifest",
            "dev.snapshotter.store.Manifest$Collection",
            "dev.snapshotter.store.Manifest$Qdrant",
            "dev.snapshotter.store.Manifest$Cluster",
            "dev.snapshotter.store.Manifest$Points",
            "dev.snapshotter.store.SetManifest",
            "dev.snapshotter.store.SetManifest$Cluster",
            "dev.snapshotter.store.SetManifest$ShardKey",
            "dev.snapshotter.store.SetManifest$Member",
            "dev.snapshotter.snapshot.QdrantCopies$Ledger",
            "dev.snapshotter.snapshot.QdrantCopies$Entry",
            "dev.snapshotter.store.SnapshotCatalog$Drill",
            "dev.snapshotter.store.SnapshotCatalog$DrillHistory",
            "dev.snapshotter.store.SnapshotCatalog$Scratch",
            "dev.snapshotter.store.SnapshotCatalog$BootRestoreUnderWay",
            "dev.snapshotter.store.SnapshotCatalog$FailedVerification",
            "dev.snapshotter.store.SnapshotCatalog$IntegrityCheck",
            "dev.snapshotter.offsite.OffsiteReport",
            "dev.snapshotter.offsite.OffsiteReport$Status",
            "software.amazon.awssdk.services.sts.internal.StsWebIdentityCredentialsProviderFactory",
            "dev.snapshotter.api.Problem",
            "dev.snapshotter.api.SnapshotCatalogResource$Listed",
            "dev.snapshotter.api.SnapshotCatalogResource$Verified",
            // config converters and the TLS config source factory, instantiated by SmallRye Config at run time
            "dev.snapshotter.config.FlagConverter",
            "dev.snapshotter.config.BoundedDuration$WaitTimeout",
            "dev.snapshotter.config.BoundedDuration$Timeout",
            "dev.snapshotter.config.BoundedDuration$Age",
            "dev.snapshotter.config.BoundedDuration$OnStartMinInterval",
            "dev.snapshotter.config.BoundedDuration$ClusterSettleTimeout",
            "dev.snapshotter.config.NonBlank$Collection",
            "dev.snapshotter.config.NonBlank$Directory",
            "dev.snapshotter.config.KeepLastConverter",
            "dev.snapshotter.config.KeepCount",
            "dev.snapshotter.config.Schedule$Reader",
            "dev.snapshotter.config.BaseUrlConverter",
            "dev.snapshotter.config.S3Settings$Bucket",
            "dev.snapshotter.config.S3Settings$Prefix",
            "dev.snapshotter.config.S3Settings$PartSize",
            "dev.snapshotter.config.S3Settings$Concurrency",
            "dev.snapshotter.config.ClusterSettings$NodesReader",
            "dev.snapshotter.config.ClusterSettings$Parallelism",
            "dev.snapshotter.config.QdrantTlsConfigSourceFactory");

    /** The REST client: the implementation Quarkus generates, and its registered exception mapper. */
    static final List<String> REST_CLIENTS = List.of("dev.snapshotter.qdrant.QdrantApi");

    public static void main(String[] args) throws IOException {
        Path sources = Path.of(args.length > 0 ? args[0] : "target/native-sources");
        List<String> problems = new ArrayList<>();

        String graalvm = read(sources.resolve("graalvm.version"), problems).trim();
        if (!graalvm.startsWith("25.")) {
            problems.add("graalvm.version is '" + graalvm + "', expected the 25 line that Quarkus 3.33 builds with");
        }

        String imageArgs = read(sources.resolve("native-image.args"), problems);
        Matcher protocols = Pattern.compile("--enable-url-protocols=(\\S+)").matcher(imageArgs);
        Set<String> enabled = new TreeSet<>();
        while (protocols.find()) {
            enabled.addAll(List.of(protocols.group(1).split(",")));
        }
        for (String protocol : List.of("http", "https")) {
            if (!enabled.contains(protocol)) {
                // the snapshot download opens http(s) URLs with the JDK's HttpURLConnection
            problems.add("native-image.args does not enable the " + protocol + " URL protocol (has " + enabled + ")");
            }
        }
        if (imageArgs.contains("--initialize-at-build-time=dev.snapshotter")) {
            problems.add("native-image.args initialises our classes at build time");
        }
        if (!imageArgs.contains("--no-fallback")) {
            problems.add("native-image.args allows a fallback (JVM) image");
        }

        Path runner;
        try (Stream<Path> files = Files.list(sources)) {
            runner = files.filter(f -> f.getFileName().toString().endsWith("-runner.jar")).findFirst().orElse(null);
        }
        if (runner == null) {
            problems.add("no *-runner.jar in " + sources);
        } else {
            try (ZipFile jar = new ZipFile(runner.toFile())) {
                var entry = jar.getEntry("META-INF/native-image/reflect-config.json");
                String reflectConfig = entry == null ? ""
                        : new String(jar.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8);
                Set<String> names = new TreeSet<>();
                Matcher name = Pattern.compile("\"name\"\\s*:\\s*\"([^\"]+)\"").matcher(reflectConfig);
                while (name.find()) {
                    names.add(name.group(1));
                }
                if (names.isEmpty()) {
                    problems.add("the runner jar has no reflection configuration");
                }
                for (String type : REFLECTED) {
                    if (!names.contains(type)) {
                        problems.add("reflection configuration lacks " + type);
                    }
                }
                for (String client : REST_CLIENTS) {
                    String implementation = client.replace('.', '/') + "$$QuarkusRestClientInterface.class";
                    if (jar.getEntry(implementation) == null) {
                        problems.add("no generated REST client implementation " + implementation);
                    }
                    if (names.stream().noneMatch(n -> n.startsWith(client + "_toException_"))) {
                        problems.add("reflection configuration lacks the exception mapper of " + client);
                    }
                }
            }
        }

        if (problems.isEmpty()) {
            System.out.println("native sources OK: GraalVM " + graalvm + ", URL protocols " + enabled + ", "
                    + REFLECTED.size() + " reflected types and the REST client present");
        } else {
            problems.forEach(p -> System.err.println("native sources: " + p));
            System.exit(1);
        }
    }

    private static String read(Path file, List<String> problems) throws IOException {
        if (!Files.isRegularFile(file)) {
            problems.add("missing " + file);
            return "";
        }
        return Files.readString(file);
    }
}
