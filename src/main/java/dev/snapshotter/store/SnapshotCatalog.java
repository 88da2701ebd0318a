package dev.snapshotter.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The verified snapshots in {@code QDRANT_SNAPSHOT_DIR}: every regular file named
 * {@code <UTC time>-<collection key>.snap} with its {@code .sha256} beside it, and its {@code .json} manifest when
 * there is one. Temporary files, files without a checksum file, links and names of any other shape are not
 * snapshots. One reading of the directory per call: the directory is the truth, there is no index to go stale.
 */
@ApplicationScoped
public class SnapshotCatalog {

    private static final Logger LOG = Logger.getLogger(SnapshotCatalog.class);
    static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    /** The future-dated files already named in a WARN. */
    private static final Set<Path> WARNED_FUTURE = ConcurrentHashMap.newKeySet();
    /**
     * A file named later than this past the clock is dated in the future (clock skew, a file copied in): it is listed
     * but never counts as the newest, for a skip, the last success or retention.
     */
    static final Duration FUTURE_TOLERANCE = Duration.ofMinutes(1);
    /** Beside a snapshot whose re-read did not match its checksum file: when, and what it hashed to. */
    static final String FAILED_VERIFICATION_SUFFIX = ".verify-failed";
    /** The last restore drill of a snapshot: when, and how it went. */
    static final String DRILL_SUFFIX = ".drill";
    /** A re-read's buffers: small enough for the young generation (see SnapshotFileWriter.Scratch#create(int)). */
    static final int REREAD_BUFFER_BYTES = 256 << 10;

    private final SnapshotDirectory directory;
    private final Event<Verification> verifications;
    private final Event<Deleted> deletedEvents;
    private final Instance<ObjectMapper> json;
    /** Restores and drills hold its read side while they read local backups; a removal that can wait, its write side. */
    private final StampedLock reads = new StampedLock();

    SnapshotCatalog(SnapshotDirectory directory, Event<Verification> verified, Event<Deleted> deleted,
            Instance<ObjectMapper> json) {
        this.directory = directory;
        this.verifications = verified;
        this.deletedEvents = deleted;
        this.json = json;
    }

    /**
     * One verified snapshot.
     *
     * @param key the collection as the file name carries it ({@link SnapshotFileName#key})
     * @param createdAt the run's start, from the file name
     * @param manifest the parsed manifest, or null for snapshots written before manifests (or when it is unreadable)
     * @param verificationFailedAt when a re-read did not match the checksum file, or null
     * @param lastDrill its last restore drill, or null
     */
    public record Entry(Path file, String key, Instant createdAt, long bytes, String sha256, Manifest manifest,
            Instant verificationFailedAt, Drill lastDrill, List<Member> members) {

        /** Whether this is a cluster backup set: {@code file} is its directory, {@code sha256} is null. */
        public boolean isSet() {
            return members != null;
        }

        /** Whether the last re-read of this file matched its checksum file (or it was never re-read). */
        public boolean verified() {
            return verificationFailedAt == null;
        }

        /** Whether its name dates it later than {@code now} allows ({@link #FUTURE_TOLERANCE}). */
        public boolean inFuture(Instant now) {
            return createdAt.isAfter(now.plus(FUTURE_TOLERANCE));
        }

        public String fileName() {
            return file.getFileName().toString();
        }

        /** The real collection: the manifest's, else the name's key (which is the name for plain names). */
        public String collection() {
            String name = manifest == null ? null : manifest.collectionName();
            return name != null ? name : key;
        }

        /**
         * Whether this snapshot is of the real collection {@code collection} (an alias resolved first): by the
         * manifest's collection, or by the file name for snapshots written before manifests.
         */
        public boolean isOf(String collection) {
            return manifest != null ? collection.equals(collection()) : key.equals(SnapshotFileName.key(collection));
        }

        /**
         * Whether this is a backup of what {@code QDRANT_COLLECTION} names, {@code configured}: a snapshot of that
         * collection, or one taken through it as an alias (its manifest's {@code configuredName}).
         */
        public boolean backsUp(String configured) {
            return configured.equals(collection()) || (manifest != null && configured.equals(manifest.configuredName()));
        }

        /** Its {@code sha256sum}-format checksum file (a set has one per member, in its directory). */
        public Path checksumFile() {
            return file.resolveSibling(fileName() + SnapshotFileWriter.CHECKSUM_SUFFIX);
        }

        /** Its manifest (a set's {@code set.json}), which may not exist (snapshots from before manifests). */
        public Path manifestFile() {
            return isSet() ? file.resolve(SetStaging.MANIFEST)
                    : file.resolveSibling(fileName() + SnapshotFileWriter.MANIFEST_SUFFIX);
        }

        Path failedVerificationFile() {
            return file.resolveSibling(fileName() + FAILED_VERIFICATION_SUFFIX);
        }

        Path drillFile() {
            return file.resolveSibling(fileName() + DRILL_SUFFIX);
        }

        /** The snapshot and every file beside it, the snapshot first (deleting it first unlists the rest). */
        public List<Path> files() {
            return isSet() ? List.of(file, failedVerificationFile(), drillFile())
                    : List.of(file, checksumFile(), manifestFile(), failedVerificationFile(), drillFile());
        }
    }

    /**
     * One file of a backup set, in the set's directory.
     *
     * @param file its name in the set's directory
     * @param peerId the peer it was taken on
     */
    @RegisterForReflection
    public record Member(String file, String peerId, long bytes, String sha256) {

        /** The members a set manifest names, in its order, as it records them. */
        public static List<Member> of(SetManifest manifest) {
            if (manifest == null) {
                throw new IllegalArgumentException("it names no member");
            }
            return manifest.checked().members().stream().map(m -> new Member(m.file(), m.peerId(), m.bytes(),
                    m.sha256())).toList();
        }
    }

    /** Opens one member of a set, wherever the set lives. */
    @FunctionalInterface
    public interface MemberSource {
        InputStream open(Member member) throws IOException;
    }

    /** Every verified snapshot, newest first. */
    public List<Entry> list() {
        List<Entry> entries = new ArrayList<>();
        for (Path file : namedOrNone()) {
            (file.getFileName().toString().endsWith(SnapshotFileName.SUFFIX) ? entry(file) : setEntry(file))
                    .ifPresent(entries::add);
        }
        entries.sort(Comparator.comparing(Entry::createdAt).thenComparing(Entry::fileName).reversed());
        return entries;
    }

    /** What the directory holds named as a snapshot ({@code *.snap}) or a set ({@code *.set}) is, listable or not. */
    private List<Path> named() throws IOException {
        Path dir = directory.path();
        List<Path> named = new ArrayList<>();
        for (String suffix : List.of(SnapshotFileName.SUFFIX, SnapshotFileName.SET_SUFFIX)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + suffix)) {
                files.forEach(named::add);
            }
        }
        return named;
    }

    /** {@link #named()}, or none when the directory cannot be listed, said at WARN. */
    private List<Path> namedOrNone() {
        try {
            return named();
        } catch (IOException e) {
            LOG.warnf("Could not list %s: %s", directory.path(), SnapshotFileWriter.reason(e));
            return List.of();
        }
    }

    /**
     * The names in the directory that are named as snapshots and sets are but are not listed: a snapshot without a
     * readable checksum file (lost, copied in without its {@code .sha256}, or an earlier version's run stopped between
     * publishing it and recording it), a set missing its {@code set.json}, a member or a member's checksum file.
     * Nothing vouches for them: they are never restored from the directory, pruned or re-read. Sorted.
     */
    public List<String> unlisted() {
        return unlistedOf(namedOrNone());
    }

    /** How many {@link #unlisted()} finds, for a scrape: nothing said when the directory cannot be listed. */
    public int unlistedCount() throws IOException {
        return unlistedOf(named()).size();
    }

    private List<String> unlistedOf(List<Path> named) {
        // a snapshot's checksum file alone decides, not its manifest: a boot reads no manifest for this
        return named.stream().filter(file -> SnapshotFileName.parse(file.getFileName().toString()).isPresent()
                ? vouchedSha256(file).isEmpty()
                : SnapshotFileName.parseSet(file.getFileName().toString()).isPresent() && setEntry(file).isEmpty())
                .map(file -> file.getFileName().toString()).sorted().toList();
    }

    /** {@code unlisted} (what {@link #unlisted()} found), said at WARN with what to do, when there are any. */
    public void warnUnlisted(List<String> unlisted) {
        if (!unlisted.isEmpty()) {
            LOG.warnf("%d file(s) in %s are named as backups but nothing vouches for them, so they are not listed: %s. "
                    + "A snapshot lacks a readable checksum file (it was lost, copied in without it, or an earlier "
                    + "version's run stopped between publishing it and recording it), a set its set.json, a member or a "
                    + "member's checksum file. They are never restored from here, pruned or re-read: put the missing "
                    + "file back, or delete them (with off-site copies on, a restore of such a backup makes it whole "
                    + "from its off-site copy)",
                    unlisted.size(), directory.path(), String.join(", ", unlisted));
        }
    }

    /** The listed snapshot of exactly this file name; any other name (paths, temporaries, links) is empty. */
    public Optional<Entry> find(String fileName) {
        if (SnapshotFileName.parseSet(fileName).isPresent()) {
            return setEntry(directory.path().resolve(fileName));
        }
        if (SnapshotFileName.parse(fileName).isEmpty()) {
            return Optional.empty();
        }
        return entry(directory.path().resolve(fileName));
    }

    /**
     * The newest snapshot of the real collection {@code collection} that can stand for it: verified at its last
     * re-read and not dated in the future (a future-dated file is logged at WARN and passed over).
     */
    public Optional<Entry> newest(String collection, Instant now) {
        return newest(list(), collection, now);
    }

    /** {@link #newest(String, Instant)} among {@code newestFirst}, a listing already made. */
    public Optional<Entry> newest(List<Entry> newestFirst, String collection, Instant now) {
        return newestFirst.stream().filter(entry -> entry.isOf(collection)).filter(entry -> !future(entry, now))
                .filter(Entry::verified).findFirst();
    }

    /**
     * The newest verified backup of what {@code QDRANT_COLLECTION} names, {@code configured} (of that collection, or
     * taken through it as an alias: {@link Entry#backsUp}), of those taken at a time {@code when} accepts.
     */
    public Optional<Entry> newestBackupOf(String configured, Predicate<Instant> when) {
        return list().stream().filter(Entry::verified).filter(entry -> entry.backsUp(configured))
                .filter(entry -> when.test(entry.createdAt())).findFirst();
    }

    /**
     * Whether {@code entry} is dated in the future; says so at WARN the first time this process passes it over (the
     * schedule looks at the newest snapshot every minute: one line per file, not one a minute).
     */
    static boolean future(Entry entry, Instant now) {
        if (!entry.inFuture(now)) {
            return false;
        }
        if (!WARNED_FUTURE.add(entry.file())) {
            return true;
        }
        LOG.warnf("%s is dated %s, in the future (clock skew, or a file copied in): it does not count as the newest "
                + "snapshot for a skip, the last success or retention, and retention does not delete it",
                entry.fileName(), entry.createdAt());
        return true;
    }

    /** The newest verified snapshot of a collection is kept unless the deletion is forced. */
    public static final class NewestKept extends RuntimeException {
        NewestKept(String message) {
            super(message);
        }
    }

    /** A deletion refused while a restore or drill reads local snapshots ({@link #reading()}). */
    public static final class BeingRead extends RuntimeException {
        BeingRead(String message) {
            super(message);
        }
    }

    /**
     * Deletes a listed snapshot and the files beside it, the snapshot first (so a half-done deletion is never
     * listed); logged and counted. The newest verified snapshot of its collection is refused unless {@code force};
     * any snapshot while a restore or drill reads local snapshots.
     *
     * @return the names of the files deleted
     */
    public List<String> delete(Entry entry, boolean force) throws IOException {
        boolean newest = newest(entry.collection(), Instant.now()).map(e -> e.file().equals(entry.file()))
                .orElse(false);
        if (newest && !force) {
            throw new NewestKept(entry.fileName() + " is the newest verified snapshot of collection `"
                    + entry.collection() + "`, the one a restore would reach for; add ?force=true to delete it anyway.");
        }
        List<String> deleted = unlessRead(() -> remove(entry)).orElseThrow(() -> new BeingRead("A restore or drill is "
                + "reading local snapshots now; delete " + entry.fileName() + " once it has ended (GET /api/runs shows it)."));
        deletedEvents.fire(new Deleted(entry.fileName(), List.copyOf(deleted)));
        LOG.infof("Deleted %s through the API%s: %s", entry.fileName(), newest ? " (forced: it was the newest "
                + "verified snapshot of collection `" + entry.collection() + "`)" : "", String.join(", ", deleted));
        return deleted;
    }

    /** A restore or drill reading local backups, until closed. */
    public interface Reading extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Marks a restore or drill as reading local backups (it may fetch one, verify it, then upload it) until the handle
     * is closed: {@link #unlessRead} takes no file from under it meanwhile.
     */
    public Reading reading() {
        long stamp = reads.readLock();
        return () -> reads.unlockRead(stamp);
    }

    /**
     * Whether a restore or drill reads backups now ({@link #reading()}): it may fetch one from the bucket as well, so
     * off-site retention leaves what it would prune for a later run too. A hint only, not a hold: runs that prune
     * off-site share the service's one slot with restores and drills, so none starts while they delete.
     */
    public boolean beingRead() {
        return reads.isReadLocked();
    }

    /** A removal of local files, run by {@link #unlessRead}. */
    @FunctionalInterface
    public interface Removal<T, E extends Exception> {
        T run() throws E;
    }

    /**
     * Runs {@code removal} (of local files that may as well go later, or that an operator asked to delete) unless a
     * restore or drill is reading local backups now; keep it to local file operations, it holds them off meanwhile.
     *
     * @return what it returned, or empty when it did not run
     */
    public <T, E extends Exception> Optional<T> unlessRead(Removal<T, E> removal) throws E {
        long stamp = reads.tryWriteLock();
        if (stamp == 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(removal.run());
        } finally {
            reads.unlockWrite(stamp);
        }
    }

    /**
     * Removes a snapshot and the files beside it, the snapshot first, without the API's rules or event (the caller
     * decided: an off-site copy is confirmed).
     *
     * @return the names of the files deleted
     */
    public List<String> remove(Entry entry) throws IOException {
        List<String> deleted = new ArrayList<>();
        if (Files.exists(entry.file(), LinkOption.NOFOLLOW_LINKS)) {
            deleteFirst(entry);
            deleted.add(entry.fileName());
        }
        for (Path path : entry.files().subList(1, entry.files().size())) {
            if (Files.deleteIfExists(path)) {
                deleted.add(path.getFileName().toString());
            }
        }
        return deleted;
    }

    /**
     * Deletes the snapshot file itself, or a set's directory: renamed out of the listing first (to the hidden name
     * a boot clears), so a half-done deletion is never listed, then removed with its members.
     */
    static void deleteFirst(Entry entry) throws IOException {
        if (!entry.isSet()) {
            Files.delete(entry.file());
            return;
        }
        Path going = entry.file().resolveSibling("." + entry.fileName() + SnapshotFileWriter.PART_SUFFIX);
        Files.move(entry.file(), going, StandardCopyOption.ATOMIC_MOVE);
        SetStaging.deleteTree(going);
    }

    /** A deletion through the API: the snapshot and the files beside it that were removed (a CDI event too). */
    public record Deleted(String file, List<String> files) {
    }

    /**
     * A re-read of a listed file against its checksum file and its content check (a CDI event too, for the metrics).
     *
     * @param problem why the content check rejected the file, or null when it passed
     */
    public record Verification(String file, boolean verified, String sha256, String expected, String problem) {
    }

    /**
     * Reads the whole file again, once: compares its SHA-256 with its checksum file and runs {@code check} over the
     * same bytes; a mismatch (bit rot, a truncated or tampered copy) or a rejection is logged at ERROR and marks the
     * file. Counted in {@code snapshotter_verifications_total{result}}.
     */
    public Verification verify(Entry entry, ContentCheck check) throws IOException {
        return verify(entry, check, OutputStream.nullOutputStream());
    }

    /**
     * {@link #verify(Entry, ContentCheck)}, every byte read also written to {@code copy} as it goes (a restore's
     * upload): one pass over the file. The caller decides what a copy of a file that failed is worth.
     */
    public Verification verify(Entry entry, ContentCheck check, OutputStream copy) throws IOException {
        Verification verification = reread(entry, check, copy, UnaryOperator.identity());
        mark(entry, verification);
        return verification;
    }

    /**
     * Re-reads every member of a set against its checksum file, each through a content check of its own; the set is
     * verified when every member is (the bytes are those whose shard coverage was checked when the set was taken).
     * Marks the set, as {@link #verify(Entry, ContentCheck)} marks a file.
     */
    public Verification verifySet(Entry set, Supplier<ContentCheck> checks) throws IOException {
        Verification verification = reread(set, checks, UnaryOperator.identity());
        mark(set, verification);
        return verification;
    }

    /** Re-reads a snapshot, or every member of a set, each file read through {@code source}; marks nothing. */
    private Verification reread(Entry entry, Supplier<ContentCheck> checks, UnaryOperator<InputStream> source)
            throws IOException {
        return entry.isSet()
                ? checkSet(entry.fileName(), entry.members(), member -> source.apply(Files.newInputStream(
                        entry.file().resolve(member.file()), LinkOption.NOFOLLOW_LINKS)), checks)
                : reread(entry, checks.get(), OutputStream.nullOutputStream(), source);
    }

    /**
     * Reads every member of the set {@code setName} from {@code source} through the SHA-256 its manifest records and
     * a content check of its own (each member logged and counted as {@link #check} does); marks nothing.
     */
    public Verification checkSet(String setName, List<Member> members, MemberSource source,
            Supplier<ContentCheck> checks) throws IOException {
        List<String> problems = new ArrayList<>();
        for (Member member : members) {
            try (InputStream in = source.open(member)) {
                Verification one = check(setName + "/" + member.file(), in, member.sha256(), checks.get(),
                        OutputStream.nullOutputStream());
                if (!one.verified()) {
                    problems.add(member.file() + ": " + (one.problem() != null ? one.problem()
                            : "hashes to " + one.sha256() + " but its checksum file says " + one.expected()));
                }
            }
        }
        return new Verification(setName, problems.isEmpty(), null, null,
                problems.isEmpty() ? null : String.join("; ", problems));
    }

    /**
     * A scheduled re-read of a listed snapshot or set ({@link #verify}, {@link #verifySet}), which may meet retention
     * or a deletion: a snapshot gone meanwhile is no finding (empty), and nothing is marked for it. A file that cannot
     * be read (an I/O error of a failing disk) is a failure like a mismatch, and marked: it is no backup either.
     */
    public Optional<Verification> verifyIfListed(Entry entry, Supplier<ContentCheck> checks,
            UnaryOperator<InputStream> source) throws IOException {
        Verification verification;
        try {
            verification = reread(entry, checks, source);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            if (!Files.exists(entry.file(), LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty();
            }
            LOG.errorf("Verification failed: %s could not be read: %s", entry.fileName(), e.getMessage());
            verification = new Verification(entry.fileName(), false, null, entry.sha256(),
                    "it could not be read: " + e.getMessage());
        }
        if (!Files.exists(entry.file(), LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        mark(entry, verification);
        return Optional.of(verification);
    }

    /**
     * How many snapshots and sets in the directory carry a failed-verification mark now (a mark whose snapshot is
     * there); cheap enough for every scrape: it lists the marks only.
     */
    public int failingVerification() throws IOException {
        int marked = 0;
        try (DirectoryStream<Path> marks = Files.newDirectoryStream(directory.path(),
                "*" + FAILED_VERIFICATION_SUFFIX)) {
            for (Path mark : marks) {
                String name = mark.getFileName().toString();
                if (Files.exists(mark.resolveSibling(name.substring(0, name.length()
                        - FAILED_VERIFICATION_SUFFIX.length())), LinkOption.NOFOLLOW_LINKS)) {
                    marked++;
                }
            }
        }
        return marked;
    }

    /**
     * The file of {@code entry}, which failed a re-read, was replaced by a sound copy of it (fetched from off-site and
     * verified against the SHA-256 recorded with it): its failed-verification mark goes.
     */
    public void replacedSound(Entry entry) throws IOException {
        Files.deleteIfExists(entry.failedVerificationFile());
    }

    private void mark(Entry entry, Verification verification) throws IOException {
        Path marker = entry.failedVerificationFile();
        if (verification.verified()) {
            if (Files.deleteIfExists(marker)) {
                LOG.infof("%s matches its checksum file again; its failed-verification mark is removed",
                        entry.fileName());
            }
        } else {
            directory.writer().writeAtomically(marker, json.get().writeValueAsBytes(new FailedVerification(
                    Instant.now().toString(), verification.sha256(), verification.expected(), verification.problem())));
        }
    }

    private Verification reread(Entry entry, ContentCheck check, OutputStream copy, UnaryOperator<InputStream> source)
            throws IOException {
        try (InputStream in = source.apply(Files.newInputStream(entry.file(), LinkOption.NOFOLLOW_LINKS))) {
            return check(entry.fileName(), in, entry.sha256(), check, copy);
        }
    }

    /**
     * Reads {@code in} (a snapshot named {@code fileName} held elsewhere, such as off-site) through the SHA-256 and
     * {@code check}, compares with {@code expected}, logs and counts the result as a re-read of a local file is; marks
     * nothing.
     */
    public Verification check(String fileName, InputStream in, String expected, ContentCheck check, OutputStream copy)
            throws IOException {
        ChunkPipeline.Result result = read(in, check, copy);
        String problem = result.rejected() == null ? null : result.rejected().getMessage();
        String actual = result.sha256();
        boolean verified = actual.equals(expected) && problem == null;
        Verification verification = new Verification(fileName, verified, actual, expected, problem);
        verifications.fire(verification);
        if (verified) {
            LOG.infof("Verified %s: its SHA-256 %s matches its checksum file and its content is sound", fileName,
                    actual);
        } else if (!actual.equals(expected)) {
            LOG.errorf("Verification failed: %s hashes to %s but its checksum file says %s (bit rot, or a truncated "
                    + "or tampered copy)", fileName, actual, expected);
        } else {
            LOG.errorf("Verification failed: %s matches its checksum file, but %s", fileName, problem);
        }
        return verification;
    }

    /** {@code in} read to its end through the SHA-256 and {@code check}, each byte written to {@code copy} too. */
    private static ChunkPipeline.Result read(InputStream in, ContentCheck check, OutputStream copy) throws IOException {
        // a scratch of its own: a re-read may run beside a snapshot run, which uses the directory's
        SnapshotFileWriter.Scratch scratch = SnapshotFileWriter.Scratch.create(REREAD_BUFFER_BYTES);
        try {
            return ChunkPipeline.run(scratch, (buffer, sofar) -> in.readNBytes(buffer, 0, buffer.length),
                    (buffer, length, total) -> copy.write(buffer, 0, length), check);
        } catch (SnapshotFailure e) {
            throw new IOException(e.getMessage(), e); // neither the source nor the copy fails with one
        } finally {
            scratch.close();
        }
    }

    /**
     * The members of the set {@code set} whose bytes no longer hash to the SHA-256 its manifest records, or that cannot
     * be read: those a sound copy must take the place of. A quiet re-read, neither logged, counted nor marked: the
     * re-read that found the set failing was.
     */
    public List<Member> unsoundMembers(Entry set) {
        List<Member> unsound = new ArrayList<>();
        for (Member member : set.members()) {
            if (!hashesTo(set.file().resolve(member.file()), member.sha256())) {
                unsound.add(member);
            }
        }
        return unsound;
    }

    /** Whether {@code file} can be read and its bytes hash to {@code sha256}: a quiet re-read, neither logged nor counted. */
    private static boolean hashesTo(Path file, String sha256) {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            return read(in, content -> {
            }, OutputStream.nullOutputStream()).sha256().equalsIgnoreCase(sha256);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Writes the checksum files {@code name} lacks, a snapshot or set named as a backup but not listed ({@link
     * #unlisted()}), where what the run that took it recorded vouches for its bytes: a snapshot's manifest records the
     * SHA-256 it was verified with, a set's {@code set.json} each member's, and the bytes still hash to it. A file
     * that does not, or a member that is missing, is left as it is. Whether it is listed now.
     */
    public boolean revouch(String name) throws IOException {
        Path file = directory.path().resolve(name);
        if (SnapshotFileName.parse(name).isPresent()) {
            Manifest manifest = manifest(file);
            if (manifest == null || manifest.sha256() == null || !name.equals(manifest.file())
                    || !hashesTo(file, manifest.sha256())) {
                return false;
            }
            directory.writer().writeSidecar(file.resolveSibling(name + SnapshotFileWriter.CHECKSUM_SUFFIX), name,
                    manifest.sha256().toLowerCase(Locale.ROOT));
        } else if (SnapshotFileName.parseSet(name).isPresent() && Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
            if (!revouchMembers(file, Member.of(setManifest(file))).isEmpty()) {
                return false;
            }
        }
        boolean listed = find(name).isPresent();
        if (listed) {
            LOG.warnf("%s had lost a checksum file; its bytes still hash to the SHA-256 that the run that took it "
                    + "recorded, so the checksum file was written again and it is listed", name);
        }
        return listed;
    }

    /**
     * Of the members {@code recorded} (a set's {@code set.json}, the directory's or its off-site copy's) of the set
     * directory {@code set}, writes the checksum file of each whose checksum file is lost or says otherwise but whose
     * bytes still hash to what is recorded; returns the others, missing or not hashing to it, in their order.
     */
    public List<Member> revouchMembers(Path set, List<Member> recorded) throws IOException {
        List<Member> unsound = new ArrayList<>();
        for (Member member : recorded) {
            Path file = set.resolve(member.file());
            Path sidecar = set.resolve(member.file() + SnapshotFileWriter.CHECKSUM_SUFFIX);
            if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                    && member.sha256().equalsIgnoreCase(checksumIn(sidecar))) {
                continue;
            }
            if (!hashesTo(file, member.sha256())) {
                unsound.add(member);
                continue;
            }
            directory.writerIn(set).writeSidecar(sidecar, member.file(), member.sha256().toLowerCase(Locale.ROOT));
        }
        return unsound;
    }

    /**
     * Writes {@code manifest} as the {@code set.json} of the set directory {@code set}, all at once: the last step of
     * making a set whole ({@link #revouchMembers}), which lists it.
     */
    public void vouchForSet(Path set, byte[] manifest) throws IOException {
        directory.writerIn(set).writeAtomically(set.resolve(SetStaging.MANIFEST), manifest);
    }

    private Optional<Entry> entry(Path file) {
        Optional<SnapshotFileName> name = SnapshotFileName.parse(file.getFileName().toString());
        Optional<String> sha256 = name.isEmpty() ? Optional.empty() : vouchedSha256(file);
        if (sha256.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Entry(file, name.get().key(), name.get().createdAt(), Files.size(file),
                    sha256.get(), manifest(file), verificationFailedAt(file), lastDrill(file), null));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The SHA-256 the checksum file beside the regular file {@code file} gives for it, what makes a snapshot a listed
     * one; empty when there is no such file, or no readable checksum.
     */
    private static Optional<String> vouchedSha256(Path file) {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try {
            String sha256 = checksumIn(file.resolveSibling(file.getFileName() + SnapshotFileWriter.CHECKSUM_SUFFIX));
            return sha256 != null && SHA256.matcher(sha256).matches() ? Optional.of(sha256) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * A published backup set: a directory named like a snapshot with {@code .set}, whose {@code set.json} names its
     * members, each a regular file beside its checksum file with the SHA-256 the manifest records. Anything less is
     * not a set (sets are published whole; something else made it).
     */
    private Optional<Entry> setEntry(Path dir) {
        Optional<SnapshotFileName> name = SnapshotFileName.parseSet(dir.getFileName().toString());
        if (name.isEmpty() || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try {
            SetManifest manifest = setManifest(dir);
            List<Member> members = new ArrayList<>();
            long bytes = 0;
            for (Member listed : Member.of(manifest)) {
                Path member = dir.resolve(listed.file());
                Path sidecar = dir.resolve(listed.file() + SnapshotFileWriter.CHECKSUM_SUFFIX);
                if (!Files.isRegularFile(member, LinkOption.NOFOLLOW_LINKS)
                        || !listed.sha256().equalsIgnoreCase(checksumIn(sidecar))) {
                    return Optional.empty();
                }
                long size = Files.size(member);
                bytes += size;
                members.add(new Member(listed.file(), listed.peerId(), size, listed.sha256()));
            }
            return Optional.of(new Entry(dir, name.get().key(), name.get().createdAt(), bytes, null,
                    manifest.asManifest(), verificationFailedAt(dir), lastDrill(dir),
                    List.copyOf(members)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The SHA-256 a checksum file ({@code sha256sum} format) gives, lower-cased; null when it is no regular file. */
    private static String checksumIn(Path sidecar) throws IOException {
        if (!Files.isRegularFile(sidecar, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        return Files.readString(sidecar, StandardCharsets.UTF_8).strip().split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
    }

    /** A set's {@code set.json}, every field of it. */
    public SetManifest setManifest(Entry set) throws IOException {
        return setManifest(set.file());
    }

    private SetManifest setManifest(Path dir) throws IOException {
        Path file = dir.resolve(SetStaging.MANIFEST);
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            SetManifest manifest = json.get().readValue(in, SetManifest.class);
            if (manifest == null) {
                throw new IOException(file + " is empty");
            }
            return manifest;
        }
    }

    private Instant verificationFailedAt(Path file) {
        Path marker = file.resolveSibling(file.getFileName() + FAILED_VERIFICATION_SUFFIX);
        if (!Files.exists(marker, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try (InputStream in = Files.newInputStream(marker)) {
            return Instant.parse(json.get().readValue(in, FailedVerification.class).failedAt());
        } catch (IOException | RuntimeException e) {
            return Instant.EPOCH; // marked, whenever that was: an unreadable mark still marks the file
        }
    }

    private Drill lastDrill(Path file) {
        Path record = file.resolveSibling(file.getFileName() + DRILL_SUFFIX);
        if (!Files.isRegularFile(record, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try (InputStream in = Files.newInputStream(record)) {
            return json.get().readValue(in, Drill.class);
        } catch (IOException | RuntimeException e) {
            return null; // an unreadable record: no drill known
        }
    }

    /**
     * A snapshot's last restore drill, the {@code .drill} file beside it.
     *
     * @param result {@code passed} or {@code failed}
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    public record Drill(String drilledAt, String result, String message) {

        /** The record of a drill that started {@code at}. */
        public static Drill of(Instant at, boolean passed, String message) {
            return new Drill(at.toString(), passed ? "passed" : "failed", message);
        }

        public boolean passed() {
            return "passed".equals(result);
        }
    }

    /**
     * The mark of a snapshot whose re-read did not match its checksum file, the {@code .verify-failed} file beside it.
     *
     * @param sha256 what the re-read hashed to; {@code expected} what the checksum file says
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    record FailedVerification(String failedAt, String sha256, String expected,
            @JsonInclude(JsonInclude.Include.NON_NULL) String problem) {
    }

    /**
     * Records a restore drill of the snapshot beside it (atomically; the last one replaces the one before), and in the
     * directory's drill history, which outlives the snapshot when retention prunes it.
     */
    public void recordDrill(Entry entry, Drill drill) throws IOException {
        directory.writer().writeAtomically(entry.drillFile(), json.get().writeValueAsBytes(drill));
        DrillHistory before = drillHistory();
        writeDrillHistory(new DrillHistory(drill.drilledAt(), drill.passed() ? drill.drilledAt() : before.lastPassedAt(),
                before.scratch()));
    }

    /**
     * When the last restore drill ran, and the last that passed, whatever snapshot they drilled ({@code .drills.json}
     * in the directory; both null before the first, or when the record is unreadable), and the scratch collections
     * drills created that are not known to be dropped.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    public record DrillHistory(String lastDrilledAt, String lastPassedAt,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Scratch> scratch) {

        public DrillHistory {
            scratch = scratch == null ? List.of() : List.copyOf(scratch);
        }
    }

    /**
     * A scratch collection a drill creates, recorded before its upload and until it is seen dropped: one that a drill
     * that did not end (the process stopped, its drop failed) leaves is dropped by the next drill.
     *
     * @param qdrant the base URL of the Qdrant it is on
     * @param since when the drill that creates it started
     */
    @RegisterForReflection
    public record Scratch(String collection, String qdrant, String since) {
    }

    /** The directory's drill history. */
    public DrillHistory drillHistory() {
        return record(SnapshotDirectory.DRILL_HISTORY, DrillHistory.class).orElse(new DrillHistory(null, null, null));
    }

    /** Records {@code scratch} in the drill history before the drill creates it. */
    public void scratchCreating(Scratch scratch) throws IOException {
        DrillHistory before = drillHistory();
        List<Scratch> all = new ArrayList<>(before.scratch());
        all.add(scratch);
        writeDrillHistory(new DrillHistory(before.lastDrilledAt(), before.lastPassedAt(), all));
    }

    /** Forgets {@code scratch}: it is dropped (or was never created). */
    public void scratchGone(Scratch scratch) throws IOException {
        DrillHistory before = drillHistory();
        writeDrillHistory(new DrillHistory(before.lastDrilledAt(), before.lastPassedAt(),
                before.scratch().stream().filter(s -> !s.equals(scratch)).toList()));
    }

    private void writeDrillHistory(DrillHistory history) throws IOException {
        directory.writer().writeAtomically(directory.path().resolve(SnapshotDirectory.DRILL_HISTORY),
                json.get().writeValueAsBytes(history));
    }

    /**
     * A boot restore that has not ended with nothing of it left unchecked on Qdrant ({@code .boot-restore.json}):
     * written before it starts, removed once it completed, was refused (nothing reached Qdrant), or dropped what it had
     * made. Found at the next boot beside an existing collection, that collection may be one Qdrant restored only in
     * part (the process stopped, the upload timed out while Qdrant went on restoring).
     *
     * @param startedAt when that boot's restore started
     * @param qdrant the URL of the Qdrant it restored into (null in the records of earlier versions)
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    public record BootRestoreUnderWay(String collection, String startedAt, String qdrant) {
    }

    /** The boot restore that has not ended, if one is recorded. */
    public Optional<BootRestoreUnderWay> bootRestoreUnderWay() {
        return record(SnapshotDirectory.BOOT_RESTORE, BootRestoreUnderWay.class)
                .filter(mark -> mark.collection() != null);
    }

    /** Records, durably, that a boot restore starts. */
    public void bootRestoreStarts(BootRestoreUnderWay mark) throws IOException {
        directory.writer().writeAtomically(directory.path().resolve(SnapshotDirectory.BOOT_RESTORE),
                json.get().writeValueAsBytes(mark));
    }

    /** Removes the record of a boot restore under way. */
    public void bootRestoreEnded() throws IOException {
        Files.deleteIfExists(directory.path().resolve(SnapshotDirectory.BOOT_RESTORE));
    }

    /**
     * A restore through the API whose upload Qdrant had whole but did not answer in time, which the service follows
     * until Qdrant's restore ended ({@code .unanswered-restores.json}), so that a restart follows it again.
     *
     * @param run the restore's run id, whose journaled report tells what it restored where
     * @param aliases whether it was asked to point the backup's aliases
     */
    @RegisterForReflection
    public record UnansweredRestore(String run, boolean aliases) {
    }

    /** The restores followed, as last recorded; none when there is no record or it is unreadable. */
    public List<UnansweredRestore> unansweredRestores() {
        return record(SnapshotDirectory.UNANSWERED_RESTORES, UnansweredRestore[].class).map(List::of)
                .orElse(List.of());
    }

    /** Records, durably, the restores followed now (none: the record goes). */
    public void recordUnansweredRestores(List<UnansweredRestore> followed) throws IOException {
        Path record = directory.path().resolve(SnapshotDirectory.UNANSWERED_RESTORES);
        if (followed.isEmpty()) {
            Files.deleteIfExists(record);
        } else {
            directory.writer().writeAtomically(record, json.get().writeValueAsBytes(followed));
        }
    }

    /** A record of the directory's own ({@code .drills.json}...); empty when there is none or it is unreadable. */
    private <T> Optional<T> record(String name, Class<T> type) {
        Path record = directory.path().resolve(name);
        if (!Files.isRegularFile(record, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try (InputStream in = Files.newInputStream(record)) {
            return Optional.ofNullable(json.get().readValue(in, type));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The last integrity check of the whole directory, {@code .integrity.json}: when it started and ended, how many
     * snapshots and sets it re-read, those that failed, and the bytes read; with off-site backups read too, how many
     * only off-site it read and those that failed (null when it did not read them whole).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @RegisterForReflection
    public record IntegrityCheck(String startedAt, String finishedAt, int checked, long bytes, List<String> failed,
            Integer offsiteChecked, List<String> offsiteFailed) {
    }

    /** Records an integrity check of the directory (atomically; it replaces the one before). */
    public void recordIntegrityCheck(IntegrityCheck check) throws IOException {
        directory.writer().writeAtomically(directory.path().resolve(SnapshotDirectory.INTEGRITY_RECORD),
                json.get().writeValueAsBytes(check));
    }

    /** The last integrity check of the directory; empty before the first, or when its record is unreadable. */
    public Optional<IntegrityCheck> lastIntegrityCheck() {
        return record(SnapshotDirectory.INTEGRITY_RECORD, IntegrityCheck.class).filter(check -> {
            try {
                Instant.parse(check.startedAt());
                return true;
            } catch (RuntimeException e) {
                return false; // no time to count the `every` schedule from
            }
        });
    }

    private Manifest manifest(Path file) {
        try {
            JsonNode manifest = jsonBeside(file, SnapshotFileWriter.MANIFEST_SUFFIX);
            return manifest == null ? null : json.get().treeToValue(manifest, Manifest.class);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("The manifest %s%s is unreadable (%s); the snapshot is listed from its name", file,
                    SnapshotFileWriter.MANIFEST_SUFFIX, e.getMessage());
            return null;
        }
    }

    /** The JSON object in the file {@code <snapshot><suffix>} beside a snapshot, or null when there is none. */
    private JsonNode jsonBeside(Path file, String suffix) throws IOException {
        return jsonIn(file.resolveSibling(file.getFileName() + suffix));
    }

    private JsonNode jsonIn(Path beside) throws IOException {
        if (!Files.isRegularFile(beside, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try (InputStream in = Files.newInputStream(beside)) {
            JsonNode node = json.get().readTree(in);
            return node != null && node.isObject() ? node : null;
        }
    }
}
