package dev.snapshotter.offsite;

import java.util.Optional;

import dev.snapshotter.store.SetStaging;
import dev.snapshotter.store.SnapshotFileName;

/**
 * The one home of where our backups sit in the bucket, below {@code root} ({@code <prefix>/}, or empty): a snapshot at
 * {@code <collection key>/<name>.snap}, its sidecars beside it; a backup set in the folder
 * {@code <collection key>/<name>.set/}, its members and their checksum files in it, and its {@code set.json}, written last,
 * which stands for the set (the set is off-site once that object is); the restore drills' records in the folder
 * {@code <collection key>/drills/}, the integrity checks' in {@code <collection key>/integrity/}, the boot restores under
 * way in {@code <collection key>/boot-restores/}.
 */
record OffsiteKeys(String root) {

    /** A backup read back from the object that stands for it. */
    record Backup(String name, SnapshotFileName parsed, boolean set) {
    }

    /** Where the boot restores under way of the service configured with {@code collectionKey} are recorded. */
    String bootRestoresFolder(String collectionKey) {
        return folder(collectionKey) + "boot-restores/";
    }

    /** Where the backups of {@code collectionKey} live. */
    String folder(String collectionKey) {
        return root + collectionKey + "/";
    }

    /**
     * Where the restore drills of the service configured with {@code collectionKey} are recorded (a folder in the
     * collection's: no backup's name has a slash).
     */
    String drillsFolder(String collectionKey) {
        return folder(collectionKey) + "drills/";
    }

    /** Where the integrity checks of the service configured with {@code collectionKey} are recorded. */
    String integrityFolder(String collectionKey) {
        return folder(collectionKey) + "integrity/";
    }

    /** Where the objects of the backup set {@code setName} live. */
    String setFolder(String collectionKey, String setName) {
        return folder(collectionKey) + setName + "/";
    }

    /** The object that stands for the backup {@code name}: the snapshot's file, or the set's {@code set.json}. */
    String marker(String collectionKey, String name) {
        return name.endsWith(SnapshotFileName.SET_SUFFIX) ? setFolder(collectionKey, name) + SetStaging.MANIFEST
                : folder(collectionKey) + name;
    }

    /**
     * How the keys of every object of the backup {@code name} start but the one that stands for it: a set's folder (its
     * members and their checksum files), or the snapshot's object key and a dot (its sidecars).
     */
    String objectsOf(String collectionKey, String name) {
        return name.endsWith(SnapshotFileName.SET_SUFFIX) ? setFolder(collectionKey, name)
                : folder(collectionKey) + name + ".";
    }

    /** {@link #marker(String, String)} for a name of our shape, or empty for any other. */
    Optional<String> marker(String name) {
        return SnapshotFileName.parseBackup(name).map(parsed -> marker(parsed.key(), name));
    }

    /** The folder of the set that {@code marker} (its {@code set.json}) stands for. */
    static String setFolderOf(String marker) {
        return marker.substring(0, marker.length() - SetStaging.MANIFEST.length());
    }

    /**
     * The backup the object {@code key} stands for, or empty for any other object: a sidecar, a member, a name of
     * another shape, or a backup in another collection's folder than its name says.
     */
    Optional<Backup> backup(String key) {
        if (!key.startsWith(root)) {
            return Optional.empty();
        }
        String rest = key.substring(root.length());
        int slash = rest.indexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        String folder = rest.substring(0, slash);
        String name = rest.substring(slash + 1);
        boolean set = name.endsWith("/" + SetStaging.MANIFEST);
        String backup = set ? name.substring(0, name.length() - SetStaging.MANIFEST.length() - 1) : name;
        if (backup.indexOf('/') >= 0) {
            return Optional.empty();
        }
        return (set ? SnapshotFileName.parseSet(backup) : SnapshotFileName.parse(backup))
                .filter(parsed -> parsed.key().equals(folder)).map(parsed -> new Backup(backup, parsed, set));
    }
}
