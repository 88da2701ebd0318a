package dev.snapshotter.restore;

import static dev.snapshotter.restore.RestoreService.CALL;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

import org.jboss.logging.Logger;

import dev.snapshotter.qdrant.QdrantClient;
import dev.snapshotter.qdrant.QdrantException;
import dev.snapshotter.qdrant.ShardPlacement;
import dev.snapshotter.qdrant.SnapshotArchive;
import dev.snapshotter.restore.RestoreRefused.Kind;
import dev.snapshotter.snapshot.Cancellation;
import dev.snapshotter.store.SetManifest;
import dev.snapshotter.store.SnapshotCatalog;
import dev.snapshotter.store.SnapshotFileName;
import dev.snapshotter.store.SnapshotFileWriter;

/**
 * A backup set restored into a Qdrant cluster: every member verified first (checksum and archive) and the members
 * together covering every shard; every target node in cluster mode (a standalone Qdrant refuses a snapshot that
 * lacks shards' data) of a version that reads them; then each member uploaded to a node, one node at a time, with
 * {@code priority=snapshot} and its checksum, and Qdrant's copy of the upload deleted; then the checks: every shard
 * with an {@code Active} replica and no transfer left (waited for), the exact point count within what the set
 * recorded. A drill does the same on one node of a single-node cluster.
 */
final class SetRestore {

    private static final Logger LOG = Logger.getLogger(SetRestore.class);
    /** How often the placement is read while replicas settle after the uploads. */
    private static final long SETTLE_POLL_MILLIS = 1_000;

    private final SnapshotCatalog catalog;
    private final Duration uploadTimeout;
    private final Duration settle;

    SetRestore(SnapshotCatalog catalog, Duration uploadTimeout, Duration settle) {
        this.catalog = catalog;
        this.uploadTimeout = uploadTimeout;
        this.settle = settle;
    }

    RestoreReport restore(List<QdrantClient> nodes, SnapshotCatalog.Entry set, String target, boolean overwrite,
            boolean restoreAliases, boolean dryRun, Cancellation cancelled, RestoreService.BeforeOverwrite before)
            throws RestoreRefused {
        RestoreAttempt attempt = new RestoreAttempt(set, target);
        attempt.aliases = List.of();
        SetManifest manifest;
        try {
            manifest = catalog.setManifest(set);
        } catch (IOException e) {
            throw new RestoreRefused(Kind.UNPROCESSABLE, set.fileName() + " could not be read: " + e.getMessage());
        }
        if (manifest.customSharded()) {
            requireCustomShardingTarget(nodes.get(0), target, overwrite, set, cancelled);
        }
        SnapshotCatalog.Verification verification;
        try {
            verification = catalog.verifySet(set, SnapshotArchive::new);
        } catch (IOException e) {
            throw new RestoreRefused(Kind.UNPROCESSABLE, set.fileName() + " could not be read: " + e.getMessage());
        }
        if (!verification.verified()) {
            throw RestoreRefused.failedVerification(set.fileName(), verification.problem());
        }
        attempt.verifyMs = attempt.millis();
        TreeSet<Integer> covered = manifest.shardsWithData();
        List<Integer> shards = manifest.shards();
        if (!covered.containsAll(shards)) {
            throw new RestoreRefused(Kind.UNPROCESSABLE, set.fileName() + " holds data of shards " + covered + " of "
                    + shards + " only; it is not restored");
        }
        SnapshotArchive.Facts facts = SnapshotArchive.Facts.fromJson(manifest.members().get(0).archive());
        attempt.facts = facts;
        String version = null;
        boolean replacing;
        try {
            for (QdrantClient node : nodes) {
                if (!node.clusterStatus(CALL, cancelled).enabled()) {
                    throw new RestoreRefused(Kind.CONFLICT, set.fileName() + " is a backup set of a cluster: it "
                            + "restores only into a Qdrant running as a cluster, and Qdrant at " + node.url() + " runs "
                            + "standalone (which refuses a snapshot that lacks shards' data); for a drill, run the "
                            + "drill Qdrant with QDRANT__CLUSTER__ENABLED=true");
                }
                String nodeVersion = node.version(CALL, cancelled).version();
                for (SetManifest.Member member : manifest.members()) {
                    RestoreService.requireCompatible(nodeVersion, member.qdrantVersion(),
                            set.fileName() + "/" + member.file());
                }
                version = version == null ? nodeVersion : version;
            }
            replacing = RestoreService.requireRestorableInto(nodes.get(0), target, overwrite, facts, CALL,
                    cancelled);
        } catch (QdrantException e) {
            return attempt.failed("The restore was not started: " + e.getMessage());
        }
        attempt.version = version;
        attempt.expected = manifest.points() == null ? null : manifest.points().min();
        attempt.expectedMax = manifest.points() == null ? null : manifest.points().max();
        attempt.overwritten = replacing;
        if (replacing) {
            attempt.safetySnapshot = before.snapshot(target, attempt.remarks);
        }
        if (dryRun) {
            return attempt.checked(restoreAliases ? manifest.aliases() : null);
        }
        before.uploading(set.fileName(), target);

        List<String> remarks = attempt.remarks;
        long uploadStart = System.nanoTime();
        boolean allDeleted = true;
        int index = 0;
        // a cancel stops the restore before its first member is sent whole, never after (it is refused from then on):
        // no collection is left with some shards restored and others not
        BooleanSupplier stopping = cancelled;
        List<String> restored = new ArrayList<>();
        boolean[] sentWhole = new boolean[1];
        for (SetManifest.Member member : manifest.members()) {
            sentWhole[0] = false;
            QdrantClient node = nodes.get(index++ % nodes.size());
            String file = member.file();
            String uploadName = SnapshotFileName.uploadName(set.fileName(), file);
            SnapshotCatalog.Member listed = set.members().stream().filter(m -> m.file().equals(file)).findFirst()
                    .orElseThrow();
            LOG.infof("Restore of set %s: uploading %s to %s as collection `%s`", set.fileName(), file, node.url(),
                    target);
            try {
                node.uploadSnapshot(target, uploadName, listed.sha256(), listed.bytes(), uploadTimeout, stopping,
                        out -> {
                            Files.copy(set.file().resolve(file), out);
                            cancelled.noLongerStoppable(RestoreService.UPLOADED);
                            before.uploadedWhole(target);
                            sentWhole[0] = true;
                            return true;
                        });
            } catch (QdrantException e) {
                attempt.uploadDeleted = allDeleted
                        & RestoreService.deleteUploadedCopy(node, target, uploadName, CALL, remarks);
                attempt.uploadMs = millisSince(uploadStart);
                String still = attempt.afterUploadFailed(e, sentWhole[0], set.fileName() + "/" + file);
                boolean last = index == manifest.members().size();
                return attempt.failed("The upload of " + file + " to " + node.url() + " failed: " + e.getMessage()
                        + still + (!still.isEmpty() && last ? completing(restored, manifest.members().size(), target)
                                : incomplete(nodes.get(0), restored, manifest.members().size(), target, replacing,
                                        attempt.safetySnapshot, !still.isEmpty())));
            } catch (QdrantClient.BodyFailed e) {
                String unread = set.fileName() + "/" + file + " could not be read: "
                        + SnapshotFileWriter.reason(e.getCause());
                if (restored.isEmpty()) {
                    throw new RestoreRefused(Kind.UNPROCESSABLE, unread); // Qdrant has restored no member
                }
                attempt.uploadMs = millisSince(uploadStart);
                attempt.uploadDeleted = allDeleted;
                return attempt.failed("The upload of " + file + " failed: " + unread
                        + incomplete(nodes.get(0), restored, manifest.members().size(), target, replacing,
                                attempt.safetySnapshot, false));
            }
            restored.add(file);
            stopping = RestoreService.RESTORED;
            allDeleted &= RestoreService.deleteUploadedCopy(node, target, uploadName, CALL, remarks);
        }
        attempt.uploadMs = millisSince(uploadStart);
        attempt.uploadDeleted = allDeleted;

        String problem = checkRestored(nodes.get(0), target, shards, settle, restoreAliases ? manifest.aliases() : null,
                attempt).problem();
        if (problem != null) {
            return attempt.failed(problem);
        }
        RestoreReport report = attempt.completed();
        LOG.infof("Restore completed: set=%s collection=%s points=%d duration=%dms", set.fileName(), target,
                attempt.found, report.durationMs());
        return report;
    }

    /**
     * The checks once Qdrant has restored every member of a set into {@code target}: every shard of {@code shards} with
     * an {@code Active} replica and no transfer left (waited for up to {@code settle}), the exact point count within
     * what the set recorded; what they found is put on {@code attempt}. When they pass, {@code aliases} (null: none)
     * are pointed at it and set on {@code attempt}. A cancel stops none of it.
     *
     */
    static RestoreService.Checked checkRestored(QdrantClient lead, String target, List<Integer> shards,
            Duration settle, List<String> aliases, RestoreAttempt attempt) {
        String problem = null;
        QdrantException failed = null;
        try {
            problem = settled(lead, target, shards, settle).problem();
            attempt.found = lead.countPoints(target, CALL, RestoreService.RESTORED);
            problem = RestoreService.append(problem, RestoreService.countProblem(target, attempt.found,
                    attempt.expected, attempt.expectedMax, "set", "set", attempt.remarks));
            if (problem == null) { // none asked for: none pointed, as a restore of one snapshot says
                attempt.aliases = aliases == null ? List.of()
                        : RestoreService.pointAliases(lead, target, aliases, CALL, RestoreService.RESTORED);
            }
        } catch (QdrantException e) {
            failed = e;
            problem = RestoreService.append(problem, "The post-restore checks failed: " + e.getMessage());
        } catch (RestoreRefused e) {
            problem = RestoreService.append(problem, e.getMessage());
        }
        return new RestoreService.Checked(null, problem, failed);
    }

    /**
     * What a restore that failed part way through a set left, said: the members Qdrant restored, so that the collection
     * holds some shards' points only; empty when no member was restored. A collection this restore created is dropped
     * again, so that nothing of the restore is left (a boot's restore, which finds no collection, then tries again at
     * the next boot, and never lets the app start on part of its data); one it overwrote stays, with how to end that.
     *
     * @param replacing whether the collection existed before, and was overwritten
     * @param safetySnapshot the backup taken of the collection before it was overwritten, or null
     * @param stillRestoring whether Qdrant may still be restoring the member whose upload failed
     */
    static String incomplete(QdrantClient lead, List<String> restored, int members, String target, boolean replacing,
            String safetySnapshot, boolean stillRestoring) {
        if (restored.isEmpty()) {
            return "";
        }
        String said = "; Qdrant had restored " + restored.size() + " of the set's " + members
                + " members into collection `" + target + "` (" + String.join(", ", restored) + ")";
        if (replacing) {
            return said + ", so it is incomplete: restore the set again with overwrite" + (safetySnapshot == null
                    ? ""
                    : ", or restore " + safetySnapshot + " (taken of it first) with overwrite to go back");
        }
        String notDropped = RestoreService.dropCreated(lead, target);
        if (notDropped != null) {
            return said + ", so it is incomplete, and dropping it failed (" + notDropped + "): drop it, then restore the "
                    + "set again";
        }
        return said + ", which this restore had created: it is dropped again, " + (stillRestoring
                ? "but the member Qdrant may still be restoring can create it anew, with that member's shards only: drop "
                        + "it once that restore ended"
                : "so nothing of the restore is left");
    }

    /**
     * What a restore left whose last member Qdrant had whole and goes on restoring (its answer did not come in time),
     * said: the collection, every other member restored into it, is kept, since that restore completes the set (the
     * service, or the boot, follows it, and takes the set as restored once the collection holds it whole); empty for a
     * set of one member. Dropping it would leave that member's shards only, once Qdrant's restore of it ended.
     */
    private static String completing(List<String> restored, int members, String target) {
        if (restored.isEmpty()) {
            return "";
        }
        return "; Qdrant had restored " + restored.size() + " of the set's " + members + " members into collection `"
                + target + "` (" + String.join(", ", restored) + "), and its restore of the last completes the set: "
                + "the collection is kept";
    }

    /**
     * Restoring a custom-sharded collection into a collection Qdrant creates from the snapshot restores no point
     * (Qdrant issue 10135): the collection and its shard keys must exist first.
     */
    private static void requireCustomShardingTarget(QdrantClient lead, String target, boolean overwrite,
            SnapshotCatalog.Entry set, BooleanSupplier cancelled) throws RestoreRefused {
        try {
            if (overwrite && lead.exists(target, CALL, cancelled)) {
                return;
            }
        } catch (QdrantException e) {
            throw new RestoreRefused(Kind.CONFLICT, "The restore was not started: " + e.getMessage());
        }
        throw RestoreService.customShardedIntoNew(set.fileName(), target,
                "the set's config and shard keys (set.json: collection.config, cluster.shardKeys)");
    }

    /** The placement the wait for the replicas last read, and what was wrong with it (null: nothing). */
    record Settled(ShardPlacement placement, String problem) {
    }

    /**
     * Waits up to {@code settle} until every shard of {@code target} has an {@code Active} replica and no transfer is
     * left; returns the placement last read, with the problem when it did not settle. Once Qdrant has restored, a cancel does
     * not cut this wait: it is bounded by
     * the settle timeout. A restore of one snapshot into a cluster waits the same way.
     */
    static Settled settled(QdrantClient lead, String target, List<Integer> shards, Duration settle)
            throws RestoreRefused {
        long deadline = System.nanoTime() + settle.toNanos();
        while (true) {
            ShardPlacement placement = lead.placement(target, CALL, RestoreService.RESTORED);
            List<Integer> inactive = shards.stream().filter(id -> placement.replicas().getOrDefault(id, List.of())
                    .stream().noneMatch(r -> "Active".equals(r.state()))).toList();
            if (inactive.isEmpty() && placement.transfers().isEmpty()) {
                return new Settled(placement, null);
            }
            if (System.nanoTime() - deadline >= 0) {
                return new Settled(placement, "After the restore, " + (inactive.isEmpty() ? ""
                        : "shards " + inactive + " have no Active "
                                + "replica")
                        + (inactive.isEmpty() || placement.transfers().isEmpty() ? "" : " and ")
                        + (placement.transfers().isEmpty() ? ""
                                : "shard transfers are still going ("
                                        + String.join("; ", placement.transfers()) + ")")
                        + " after waiting " + settle.toSeconds() + "s");
            }
            try {
                Thread.sleep(SETTLE_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RestoreRefused(Kind.CONFLICT, "Interrupted while waiting for the replicas to settle");
            }
        }
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
