package dev.snapshotter.offsite;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.snapshotter.qdrant.SnapshotArchive;
import dev.snapshotter.store.ContentCheck;
import dev.snapshotter.store.Manifest;
import dev.snapshotter.store.SetManifest;
import dev.snapshotter.store.SetStaging;
import dev.snapshotter.store.SnapshotCatalog;
import dev.snapshotter.store.SnapshotDirectory;
import dev.snapshotter.store.SnapshotFailure;
import dev.snapshotter.store.SnapshotFailure.Kind;
import dev.snapshotter.store.SnapshotFileName;
import dev.snapshotter.store.SnapshotFileWriter;

/**
 * What is off-site, read back: our snapshots and sets in the bucket (listed, found by name, their manifests and
 * members), streamed for downloads and verification, and fetched into the local directory for a restore or a drill
 * through the durable writer, with the checks a run's download has. {@link OffsiteCopies} puts them there.
 */
@ApplicationScoped
public class OffsiteCatalog {

    private static final Logger LOG = Logger.getLogger(OffsiteCatalog.class);

    private final S3Store store;
    private final OffsiteCopies copies;
    private final SnapshotCatalog catalog;
    private final SnapshotDirectory directory;
    private final OffsiteMetrics metrics;
    /** Reads the manifests off-site ({@code set.json}, a snapshot's {@code .json}). */
    private final Instance<ObjectMapper> json;

    OffsiteCatalog(S3Store store, OffsiteCopies copies, SnapshotCatalog catalog, SnapshotDirectory directory,
            OffsiteMetrics metrics, Instance<ObjectMapper> json) {
        this.store = store;
        this.copies = copies;
        this.catalog = catalog;
        this.directory = directory;
        this.metrics = metrics;
        this.json = json;
    }

    /** Whether a bucket is configured ({@code QDRANT_SNAPSHOT_S3_BUCKET}). */
    public boolean enabled() {
        return store.enabled();
    }

    /**
     * A snapshot off-site: its file name, object key and size.
     *
     * @param sha256 the SHA-256 (hex) recorded with it, or null when not looked up (a listing)
     */
    public record Remote(String fileName, String key, long size, String sha256, Instant createdAt) {

        /** Whether this is a backup set ({@code key} is then its {@code set.json}, {@code size} all its members). */
        public boolean isSet() {
            return fileName.endsWith(SnapshotFileName.SET_SUFFIX);
        }
    }

    /** The collection key a remote backup's name carries (its folder: {@link #listRemote} lists no other). */
    public static String collectionKey(Remote remote) {
        return SnapshotFileName.parseBackup(remote.fileName()).map(SnapshotFileName::key).orElse(null);
    }

    /** Our snapshots off-site (objects named like our snapshots, in the folder of their collection), newest first. */
    public List<Remote> listRemote() throws SnapshotFailure {
        OffsiteKeys keys = store.keys();
        Map<String, Long> objects = new HashMap<>();
        store.list(keys.root()).forEach(object -> objects.put(object.key(), object.size()));
        List<Remote> remote = remotes(keys, objects);
        remote.sort(Comparator.comparing(Remote::createdAt).thenComparing(Remote::fileName).reversed());
        return remote;
    }

    /**
     * The backups among these objects (key to size), in no order: a snapshot with its size, when its checksum file is
     * beside it (our copies put it there first; an object of our name without one, put there by another tool, cannot
     * be verified, so it is no backup); a set with its members' bytes (their sizes under its folder, added up in one
     * pass).
     */
    static List<Remote> remotes(OffsiteKeys keys, Map<String, Long> objects) {
        Map<String, Long> setBytes = new HashMap<>();
        objects.forEach((key, size) -> {
            int slash = key.lastIndexOf('/');
            if (slash > 0 && key.endsWith(SnapshotFileName.SUFFIX)) {
                setBytes.merge(key.substring(0, slash + 1), size, Long::sum);
            }
        });
        List<Remote> remote = new ArrayList<>();
        objects.forEach((key, size) -> keys.backup(key)
                .filter(backup -> backup.set() || objects.containsKey(key + SnapshotFileWriter.CHECKSUM_SUFFIX))
                .ifPresent(backup -> remote.add(new Remote(backup.name(), key,
                        backup.set() ? setBytes.getOrDefault(OffsiteKeys.setFolderOf(key), 0L) : size, null,
                        backup.parsed().createdAt()))));
        return remote;
    }

    /**
     * The snapshot of that file name off-site, with its SHA-256 (recorded with the object, or read from its checksum
     * file); empty when there is none, or no checksum file beside it (as the listing has it: no backup).
     */
    public Optional<Remote> findRemote(String fileName) throws SnapshotFailure {
        Optional<SnapshotFileName> set = SnapshotFileName.parseSet(fileName);
        if (set.isPresent()) {
            OffsiteKeys keys = store.keys();
            Optional<S3Store.StoredObject> marker = store.head(keys.marker(set.get().key(), fileName));
            if (marker.isEmpty()) {
                return Optional.empty();
            }
            long size = store.list(keys.setFolder(set.get().key(), fileName)).stream()
                    .filter(o -> o.key().endsWith(SnapshotFileName.SUFFIX))
                    .mapToLong(S3Store.StoredObject::size).sum();
            return Optional.of(new Remote(fileName, marker.get().key(), size, null, set.get().createdAt()));
        }
        Optional<SnapshotFileName> name = SnapshotFileName.parse(fileName);
        if (name.isEmpty()) {
            return Optional.empty();
        }
        String key = store.keys().marker(name.get().key(), fileName);
        Optional<S3Store.StoredObject> object = store.head(key);
        if (object.isEmpty()) {
            return Optional.empty();
        }
        String sha256 = object.get().sha256Metadata();
        if (sha256 != null) {
            // ours: its checksum file went up first, so one missing was deleted since; as in the listing, no backup
            if (store.head(key + SnapshotFileWriter.CHECKSUM_SUFFIX).isEmpty()) {
                return Optional.empty();
            }
        } else {
            Optional<InputStream> sidecar = store.openIfPresent(key + SnapshotFileWriter.CHECKSUM_SUFFIX);
            if (sidecar.isEmpty()) {
                return Optional.empty();
            }
            try (InputStream in = sidecar.get()) {
                sha256 = new String(in.readNBytes(4096), StandardCharsets.UTF_8).strip()
                        .split("\\s+", 2)[0];
            } catch (IOException e) {
                throw new SnapshotFailure(Kind.OFFSITE, "Could not read " + store.uri(key) + ".sha256: " + e, e);
            }
        }
        return Optional.of(new Remote(fileName, key, object.get().size(), sha256, name.get().createdAt()));
    }

    /**
     * The members of a backup set off-site, as its {@code set.json} there names them (file, peer id, bytes, SHA-256).
     */
    public List<SnapshotCatalog.Member> setMembers(Remote set) throws SnapshotFailure {
        return members(set, readManifest(set));
    }

    /** The {@code set.json} of a set off-site, as stored (a fetched set keeps it byte for byte). */
    private byte[] readManifest(Remote set) throws SnapshotFailure {
        try (InputStream in = store.open(set.key(), null)) {
            return in.readNBytes(16 << 20);
        } catch (IOException e) {
            throw new SnapshotFailure(Kind.OFFSITE, "Could not read " + store.uri(set.key()) + ": " + e, e);
        }
    }

    /** The members that {@code set.json} names; one that does not describe them is refused. */
    private List<SnapshotCatalog.Member> members(Remote set, byte[] manifest) throws SnapshotFailure {
        try {
            return SnapshotCatalog.Member.of(json.get().readValue(manifest, SetManifest.class));
        } catch (IOException e) {
            throw new SnapshotFailure(Kind.OFFSITE, "Could not read " + store.uri(set.key()) + ": " + e, e);
        } catch (IllegalArgumentException e) {
            throw new SnapshotFailure(Kind.OFFSITE, store.uri(set.key()) + " is not a set manifest: "
                    + e.getMessage());
        }
    }

    /**
     * The collection name the service was configured with when it took an off-site snapshot (its manifest's
     * {@code configuredName}: an alias, where the file carries the real collection), or null when its manifest is
     * missing or says none.
     */
    public String configuredName(Remote remote) throws SnapshotFailure {
        return manifest(remote).map(Manifest::configuredName).orElse(null);
    }

    /** The manifest of an off-site snapshot, or empty when it has none there (a set's is not read). */
    private Optional<Manifest> manifest(Remote remote) throws SnapshotFailure {
        Optional<InputStream> found = remote.isSet() ? Optional.empty()
                : openSidecar(remote, SnapshotFileWriter.MANIFEST_SUFFIX);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        try (InputStream manifest = found.get()) {
            return Optional.of(json.get().readValue(manifest, Manifest.class));
        } catch (IOException e) {
            throw new SnapshotFailure(SnapshotFailure.Kind.OFFSITE, "The manifest of " + store.uri(remote.key())
                    + " could not be read: " + e.getMessage(), e);
        }
    }

    /**
     * Whether an off-site backup is of what {@code QDRANT_COLLECTION} names, {@code configured}: by its name (the
     * collection's), else by its manifest (an alias the snapshot was taken through), read only then.
     */
    public boolean backsUp(Remote remote, String configured) throws SnapshotFailure {
        return SnapshotFileName.key(configured).equals(collectionKey(remote))
                || configured.equals(configuredName(remote));
    }

    /**
     * The newest backup off-site of what {@code QDRANT_COLLECTION} names, {@code configured} (see {@link #backsUp}), of
     * those taken at a time {@code when} accepts; one listing, and the manifests of backups then taken under another
     * collection's name.
     */
    public Optional<Remote> newestBackupOf(String configured, Predicate<Instant> when) throws SnapshotFailure {
        for (Remote remote : listRemote()) {
            if (when.test(remote.createdAt()) && backsUp(remote, configured)) {
                return Optional.of(remote);
            }
        }
        return Optional.empty();
    }

    /**
     * The real collection a backup of what {@code QDRANT_COLLECTION} names, {@code configured}, holds: {@code configured}
     * when it carries that name, else its manifest's (an alias's collection at the time), else null.
     */
    public String collectionOf(Remote remote, String configured) throws SnapshotFailure {
        if (SnapshotFileName.key(configured).equals(collectionKey(remote))) {
            return configured;
        }
        return manifest(remote).map(Manifest::collection).map(Manifest.Collection::name).orElse(null);
    }

    /** Streams one member of a backup set off-site; {@code range} as HTTP writes it, or null. */
    public InputStream openMember(Remote set, String member, String range) throws SnapshotFailure {
        return store.open(OffsiteKeys.setFolderOf(set.key()) + member, range);
    }

    /** Streams a snapshot off-site; {@code range} as HTTP writes it, or null. */
    public InputStream open(Remote remote, String range) throws SnapshotFailure {
        return store.open(remote.key(), range);
    }

    /** Streams a sidecar of the snapshot off-site (its checksum file or manifest), or empty when it has none there. */
    public Optional<InputStream> openSidecar(Remote remote, String suffix) throws SnapshotFailure {
        return store.openIfPresent(remote.key() + suffix);
    }

    /**
     * Streams a backup only off-site (each member of a set) through the SHA-256 recorded with it and a content check
     * of its own, as a local re-read is logged and counted; marks nothing (the bucket holds no marks). Each object is
     * read through {@code source} (the integrity check's pacing).
     *
     * @return empty when it is no backup of ours any more (its SHA-256 or its checksum file went)
     */
    public Optional<SnapshotCatalog.Verification> verify(Remote remote, Supplier<ContentCheck> checks,
            UnaryOperator<InputStream> source) throws IOException, SnapshotFailure {
        if (remote.isSet()) {
            return Optional.of(catalog.checkSet(remote.fileName(), setMembers(remote), member -> {
                try {
                    return source.apply(openMember(remote, member.file(), null));
                } catch (SnapshotFailure e) {
                    throw new IOException(e.getMessage(), e);
                }
            }, checks));
        }
        Optional<Remote> found = remote.sha256() != null ? Optional.of(remote) : findRemote(remote.fileName());
        if (found.isEmpty()) {
            return Optional.empty();
        }
        try (InputStream in = source.apply(open(found.get(), null))) {
            return Optional.of(catalog.check(remote.fileName(), in, found.get().sha256(), checks.get(),
                    OutputStream.nullOutputStream()));
        }
    }

    /**
     * Puts the off-site copy of {@code rotted}, a snapshot whose local copy failed its re-read (and is marked), in its
     * place: fetched, verified against the SHA-256 recorded with it, renamed over the rotted copy, the mark lifted
     * ({@link #fetch}); of a set, each member whose bytes no longer hash to what the set recorded. Empty when off-site
     * copies are off or the bucket has no copy of it.
     */
    public Optional<SnapshotCatalog.Entry> replaceRotted(SnapshotCatalog.Entry rotted) throws SnapshotFailure {
        if (!enabled()) {
            return Optional.empty();
        }
        Optional<Remote> remote = findRemote(rotted.fileName());
        if (remote.isEmpty()) {
            return Optional.empty();
        }
        return rotted.isSet() ? replaceRottedMembers(rotted, remote.get())
                : Optional.of(fetch(remote.get(), SnapshotArchive::new));
    }

    /**
     * Puts the off-site copy of {@code fileName}, a snapshot the directory holds without a readable checksum file or a
     * set without its {@code set.json}, a member or a member's checksum file (so unlisted: nothing vouches for it), in
     * its place ({@link #fetch}). Empty when off-site copies are off or the bucket has no copy of it.
     */
    public Optional<SnapshotCatalog.Entry> replaceUnlisted(String fileName) throws SnapshotFailure {
        if (!enabled() || SnapshotFileName.parseBackup(fileName).isEmpty()) {
            return Optional.empty();
        }
        Optional<Remote> remote = findRemote(fileName);
        return remote.isEmpty() ? Optional.empty() : Optional.of(fetch(remote.get(), SnapshotArchive::new));
    }

    /**
     * Puts the off-site copy of each member of the set {@code set} that rotted in its place, one at a time: fetched
     * into the set's directory, its size and SHA-256 checked against what the set recorded and its content checked,
     * then renamed over the rotted one; the set's mark lifted once all are. Empty when no member's bytes differ from
     * what the set recorded (the mark is for its content, which its off-site copy shares) or the bucket's set does not
     * hold the same members.
     */
    private Optional<SnapshotCatalog.Entry> replaceRottedMembers(SnapshotCatalog.Entry set, Remote remote)
            throws SnapshotFailure {
        List<SnapshotCatalog.Member> unsound = catalog.unsoundMembers(set);
        Map<String, SnapshotCatalog.Member> offsite = new HashMap<>();
        members(remote, readManifest(remote)).forEach(copy -> offsite.put(copy.file(), copy));
        String folder = OffsiteKeys.setFolderOf(remote.key());
        if (unsound.isEmpty() || !unsound.stream().allMatch(member -> offsite.containsKey(member.file())
                && offsite.get(member.file()).sha256().equalsIgnoreCase(member.sha256()))) {
            return Optional.empty();
        }
        List<String> replaced = new ArrayList<>();
        for (SnapshotCatalog.Member member : unsound) {
            fetchMember(folder, set.file(), offsite.get(member.file()), new SnapshotArchive());
            replaced.add(member.file());
        }
        try {
            catalog.replacedSound(set);
        } catch (IOException e) {
            LOG.warnf("The rotted members of %s were replaced by their off-site copies, but its failed-verification "
                    + "mark could not be removed: %s", set.fileName(), e.getMessage());
        }
        LOG.warnf("The local copies of %s in backup set %s failed their re-read; their off-site copies, in %s, verified, "
                + "took their place", String.join(", ", replaced), set.fileName(), store.uri(folder));
        metrics.healed();
        return catalog.find(set.fileName());
    }

    /**
     * Fetches {@code member} of the bucket's set in {@code folder} into the set's directory {@code set}, taking the
     * place of a file of that name once its size, the SHA-256 the set recorded and its content are checked.
     */
    private void fetchMember(String folder, Path set, SnapshotCatalog.Member member, ContentCheck content)
            throws SnapshotFailure {
        try (InputStream body = store.open(folder + member.file(), null)) {
            directory.apart(set, writer -> {
                writer.requireSpace(member.bytes());
                return writer.write(body, member.file(), new SnapshotFileWriter.Expected(member.bytes(),
                        member.bytes(), member.sha256(), content), true);
            });
        } catch (IOException e) {
            throw new SnapshotFailure(Kind.OFFSITE, "Could not read " + store.uri(folder + member.file()) + ": " + e, e);
        }
    }

    /**
     * Makes whole from its off-site copy {@code remote}, a set the directory holds unlisted (its {@code set.json}, a
     * member or a member's checksum file lost): each member whose bytes there do not hash to what the bucket's set
     * records is fetched in its place, the others kept and their lost checksum files written again, and the bucket's
     * {@code set.json} written last, which lists the set. A stop at any point leaves it unlisted, the next heal going
     * on from there.
     */
    private SnapshotCatalog.Entry replaceUnlistedSet(Remote remote, Supplier<ContentCheck> content)
            throws SnapshotFailure {
        byte[] manifest = readManifest(remote);
        String folder = OffsiteKeys.setFolderOf(remote.key());
        Path set = directory.path().resolve(remote.fileName());
        List<String> fetched = new ArrayList<>();
        try {
            for (SnapshotCatalog.Member member : catalog.revouchMembers(set, members(remote, manifest))) {
                fetchMember(folder, set, member, content.get());
                fetched.add(member.file());
            }
            catalog.vouchForSet(set, manifest);
        } catch (IOException e) {
            throw new SnapshotFailure(Kind.LOCAL_IO, "Could not make backup set " + remote.fileName() + " whole in "
                    + directory.path() + ": " + SnapshotFileWriter.reason(e), e);
        }
        LOG.warnf("Backup set %s was not listed: its set.json, a member or a member's checksum file was lost, so nothing "
                + "vouched for it; its off-site copy, %s, made it whole (fetched and verified: %s; the other members' "
                + "bytes still hash to what it records)", remote.fileName(), store.uri(folder),
                fetched.isEmpty() ? "none" : String.join(", ", fetched));
        metrics.healed();
        copies.known(remote.key(), manifest.length);
        return catalog.find(remote.fileName()).orElseThrow(() -> new SnapshotFailure(Kind.LOCAL_IO,
                "The backup set " + remote.fileName() + " made whole from its off-site copy is not listed in "
                        + directory.path()));
    }

    /**
     * Brings an off-site snapshot into the local directory for a restore or a drill, through the same durable writer
     * as a run's download: streamed to a temporary file, its size and SHA-256 checked against what was recorded with
     * it and its content checked by {@code content}, then published under its name with its checksum file, and its
     * manifest beside it. A failure leaves no file. A local copy that failed its re-read, or that the directory holds
     * without a readable checksum file (so unlisted), is replaced by it, in one rename, once it is verified; a set the
     * directory holds unlisted is made whole from it ({@link #replaceUnlistedSet}).
     */
    public SnapshotCatalog.Entry fetch(Remote remote, Supplier<ContentCheck> content) throws SnapshotFailure {
        Optional<SnapshotCatalog.Entry> local = catalog.find(remote.fileName());
        // a local copy that failed its re-read is no backup: the off-site copy takes its place once verified
        if (local.isPresent() && (local.get().verified() || remote.isSet())) {
            return local.get();
        }
        if (remote.isSet()) {
            // a directory of that name the catalog does not list: what vouches for it was lost, and the bucket's set
            // makes it whole
            return Files.isDirectory(directory.path().resolve(remote.fileName()), LinkOption.NOFOLLOW_LINKS)
                    ? replaceUnlistedSet(remote, content)
                    : fetchSet(remote, content);
        }
        Path file = directory.path().resolve(remote.fileName());
        // a file of that name the catalog does not list (its checksum file lost or rotted into no checksum): nothing
        // vouches for it, and the verified copy takes its place as it takes a rotted one's
        boolean unlisted = local.isEmpty() && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS);
        SnapshotFileWriter writer = directory.writer();
        writer.requireSpace(remote.size());
        try (InputStream body = open(remote, null)) {
            // a writer of its own: an integrity check's heal may fetch beside a snapshot run
            directory.apart(directory.path(), own -> own.write(body, remote.fileName(),
                    new SnapshotFileWriter.Expected(remote.size(), remote.size(), remote.sha256(), content.get()),
                    local.isPresent() || unlisted));
        } catch (IOException e) {
            throw new SnapshotFailure(Kind.OFFSITE, "Could not read " + store.uri(remote.key()) + ": " + e, e);
        }
        try {
            Optional<InputStream> found = openSidecar(remote, SnapshotFileWriter.MANIFEST_SUFFIX);
            if (found.isPresent()) {
                try (InputStream manifest = found.get()) {
                    writer.writeAtomically(file.resolveSibling(remote.fileName() + SnapshotFileWriter.MANIFEST_SUFFIX),
                            manifest.readNBytes(16 << 20));
                }
            }
        } catch (IOException e) {
            LOG.warnf("Fetched %s, but not its manifest: %s", remote.fileName(), e.getMessage());
        }
        LOG.infof("Fetched %s from %s: size and SHA-256 %s verified", remote.fileName(), store.uri(remote.key()),
                remote.sha256());
        if (local.isPresent()) {
            try {
                catalog.replacedSound(local.get());
            } catch (IOException e) {
                LOG.warnf("%s was replaced by its off-site copy, but its failed-verification mark could not be "
                        + "removed: %s", remote.fileName(), e.getMessage());
            }
            LOG.warnf("The local copy of %s failed its re-read; its off-site copy, %s, verified, took its place",
                    remote.fileName(), store.uri(remote.key()));
            metrics.healed();
        } else if (unlisted) {
            LOG.warnf("The local copy of %s had no readable checksum file, so nothing vouched for it; its off-site "
                    + "copy, %s, verified, took its place", remote.fileName(), store.uri(remote.key()));
            metrics.healed();
        }
        copies.known(remote.key(), remote.size());
        return catalog.find(remote.fileName()).orElseThrow(() -> new SnapshotFailure(Kind.LOCAL_IO,
                "The fetched " + remote.fileName() + " is not listed in " + directory.path()));
    }

    /**
     * Brings an off-site backup set into the local directory: its {@code set.json} read first, then each member
     * streamed through the durable writer into the set's hidden directory, its size and the SHA-256 the set recorded
     * checked and its content checked, and the set published whole; a failure leaves nothing.
     */
    private SnapshotCatalog.Entry fetchSet(Remote remote, Supplier<ContentCheck> content) throws SnapshotFailure {
        byte[] manifest = readManifest(remote);
        List<SnapshotCatalog.Member> members = members(remote, manifest);
        String folder = OffsiteKeys.setFolderOf(remote.key());
        try (SetStaging set = directory.stageSet(remote.fileName())) {
            // one writer, the members coming one after the other; the space for the whole set first, so that a set
            // that cannot fit is not half fetched
            SnapshotFileWriter writer = set.writer();
            writer.requireSpace(members.stream().mapToLong(SnapshotCatalog.Member::bytes).sum(), "The backup set "
                    + remote.fileName() + " (" + members.size() + " members)");
            for (SnapshotCatalog.Member member : members) {
                writer.requireSpace(member.bytes());
                try (InputStream body = store.open(folder + member.file(), null)) {
                    writer.write(body, member.file(), new SnapshotFileWriter.Expected(member.bytes(), member.bytes(),
                            member.sha256(), content.get()));
                }
            }
            set.publish(manifest);
        } catch (IOException e) {
            throw new SnapshotFailure(Kind.OFFSITE, "Could not fetch " + store.uri(folder) + ": " + e, e);
        }
        LOG.infof("Fetched backup set %s from %s: every member's size and SHA-256 verified", remote.fileName(),
                store.uri(folder));
        copies.known(remote.key(), manifest.length);
        return catalog.find(remote.fileName()).orElseThrow(() -> new SnapshotFailure(Kind.LOCAL_IO,
                "The fetched set " + remote.fileName() + " is not listed in " + directory.path()));
    }
}
