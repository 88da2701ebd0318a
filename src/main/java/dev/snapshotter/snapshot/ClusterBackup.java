package dev.snapshotter.snapshot;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.snapshotter.config.BoundedDuration;
import dev.snapshotter.config.QdrantConfig;
import dev.snapshotter.qdrant.ClusterPlan;
import dev.snapshotter.qdrant.QdrantClient;
import dev.snapshotter.qdrant.QdrantException;
import dev.snapshotter.qdrant.ShardPlacement;
import dev.snapshotter.snapshot.SnapshotTarget.Outcome;
import dev.snapshotter.snapshot.SnapshotTarget.Progress;
import dev.snapshotter.snapshot.SnapshotTarget.RunContext;
import dev.snapshotter.store.Manifest;
import dev.snapshotter.store.SetManifest;
import dev.snapshotter.store.SetStaging;
import dev.snapshotter.store.SnapshotDirectory;
import dev.snapshotter.store.SnapshotFailure;
import dev.snapshotter.store.SnapshotFailure.Kind;
import dev.snapshotter.store.SnapshotFileName;
import dev.snapshotter.store.SnapshotFileWriter;

/**
 * A run against a cluster ({@code QDRANT_CLUSTER_NODES}): learns the peer id each node answers as (twice, so a
 * load-balanced address is caught), reads where the shards live, chooses the fewest nodes whose {@code Active}
 * replicas cover every shard ({@link ClusterPlan}), snapshots each chosen node as a single Qdrant is snapshotted
 * (ledger, create, streamed verified download with the archive check, deletion of Qdrant's copy), in parallel across
 * nodes up to {@code QDRANT_CLUSTER_PARALLELISM}, checks that the files together hold every shard's data, and
 * publishes them as one backup set, its manifest written last ({@link SetStaging}). A member that fails stops the
 * others: no set is published and Qdrant's copy on every node is deleted (or left in the ledger for the next run).
 */
final class ClusterBackup {

    private static final Logger LOG = Logger.getLogger(ClusterBackup.class);
    /** How often an unsettled cluster is read again while the run waits for it. */
    static final long SETTLE_POLL_MILLIS = 2_000;
    static final String NOT_ONE_POINT_IN_TIME = "The members were snapshotted one node at a time, in parallel across "
            + "nodes: together they hold every shard, but they are not one point in time across nodes (writes made "
            + "while the run went may be in some members and not in others).";

    private final QdrantSnapshotTarget target;
    private final QdrantClient qdrant;
    private final QdrantConfig config;
    private final SnapshotDirectory directory;
    private final Instance<ObjectMapper> json;
    private final ManagedExecutor executor;

    ClusterBackup(QdrantSnapshotTarget target, QdrantClient qdrant, QdrantConfig config, SnapshotDirectory directory,
            Instance<ObjectMapper> json, ManagedExecutor executor) {
        this.executor = executor;
        this.target = target;
        this.qdrant = qdrant;
        this.config = config;
        this.directory = directory;
        this.json = json;
    }

    /** A configured node: its URL, its client, and the peer id it answered as (null while unknown or unreachable). */
    private record Node(URI url, QdrantClient client, String peerId, String problem) {
    }

    /** One chosen node's part of the run, filled as it goes. */
    private static final class Member {
        final ClusterPlan.Member planned;
        final QdrantClient client;
        final Progress progress;
        QdrantSnapshotTarget.Captured captured;
        QdrantClient.VersionInfo version;
        Map<Integer, Long> points = Map.of();
        SnapshotFailure failure;
        /** Whether this member's create is on its way (see captureAll). */
        volatile boolean creating;

        Member(ClusterPlan.Member planned, QdrantClient client, Progress run) {
            this.planned = planned;
            this.client = client;
            this.progress = new Progress(run);
        }

        String fileName() {
            return planned.peerId() + SnapshotFileName.SUFFIX;
        }

        String where() {
            return "node " + planned.node() + " (peer " + planned.peerId() + ")";
        }
    }

    Outcome take(RunContext run, QdrantClient.Collection collection) throws SnapshotFailure {
        String name = collection.name();
        BooleanSupplier cancelled = run.cancellation()::cancelled;
        Progress progress = run.progress();
        progress.phase("planning");
        List<Node> nodes = discover(cancelled);
        Map<String, URI> byPeer = new LinkedHashMap<>();
        nodes.stream().filter(n -> n.peerId() != null).forEach(n -> byPeer.put(n.peerId(), n.url()));
        nodes.stream().filter(n -> n.problem() != null).forEach(n -> progress.remark("node " + n.url()
                + " was left out: " + n.problem()));
        ClusterPlan plan = plan(name, nodes, byPeer, run.cancellation());
        LOG.infof("Cluster plan for collection `%s`: %s", name, describe(plan));

        try (SetStaging set = directory.stageSet(SnapshotFileName.ofSet(run.startedAt(), name))) {
            QdrantCopies copies = new QdrantCopies(directory.path(), directory.writer(), json.get());
            // every reachable node's leftovers, not only the chosen ones': a node chosen last time may not be now
            Map<URI, List<String>> listed = new LinkedHashMap<>();
            for (Node node : nodes) {
                if (node.peerId() != null) {
                    listed.put(node.url(), target.reconcile(copies, node.client(), node.url().toString(), name,
                            progress, cancelled));
                }
            }
            List<Member> members = new ArrayList<>();
            Map<Member, List<String>> present = new LinkedHashMap<>();
            for (ClusterPlan.Member planned : plan.members()) {
                Member member = new Member(planned, qdrant.at(planned.node()), run.progress());
                members.add(member);
                present.put(member, listed.get(planned.node()));
            }
            Manifest manifest = target.manifestBeforeCreate(run, collection, plan.placement());
            Long countBefore = target.countPoints(name, "before", manifest, progress, cancelled);
            List<JsonNode> sample = target.samplePoints(name, manifest, progress, cancelled);

            captureAll(run, name, set, copies, members, present);

            for (Member member : members) {
                List<Integer> missing = member.planned.shards().stream()
                        .filter(id -> !member.captured.facts().shardsWithData().contains(id)).toList();
                if (!missing.isEmpty()) {
                    throw new SnapshotFailure(Kind.VERIFICATION, member.where() + " held an Active replica of shard"
                            + (missing.size() > 1 ? "s " : " ") + join(missing) + " when the run began, but its "
                            + "snapshot holds no data of " + (missing.size() > 1 ? "them" : "it") + " (the placement "
                            + "changed meanwhile?); no set was published");
                }
            }
            requireSamePeers(members, cancelled);
            Long countAfter = target.countPoints(name, "after", manifest, progress, cancelled);
            long bytes = members.stream().mapToLong(m -> m.captured.written().bytes()).sum();
            SetManifest document = setManifest(manifest.withPoints(Manifest.Points.of(countBefore, countAfter,
                    sample)), plan, members, progress.remarks());
            run.progress().phase("publishing");
            set.publish(json.get().writerWithDefaultPrettyPrinter().writeValueAsBytes(document));
            List<SnapshotReport.SetMember> reported = members.stream().map(m -> new SnapshotReport.SetMember(
                    m.planned.node().toString(), m.planned.peerId(), set.target().resolve(m.fileName()).toString(),
                    m.captured.written().bytes(), m.captured.written().sha256(), m.planned.shards(),
                    m.captured.facts().shardsWithData(), m.captured.snapshotName(), m.captured.remoteDeleted()))
                    .toList();
            members.forEach(m -> m.progress.remarks().forEach(r -> progress.remark(m.where() + ": " + r)));
            List<String> pruned = target.retain(name, set.target(), progress);
            return new Outcome(SnapshotReport.Status.COMPLETED, name, null, set.target().toString(), bytes, null,
                    members.stream().allMatch(m -> m.captured.remoteDeleted()), progress.message(), pruned, reported);
        } catch (IOException e) {
            throw new SnapshotFailure(Kind.LOCAL_IO, "The set manifest could not be written: "
                    + SnapshotFileWriter.reason(e) + "; no set was published", e);
        }
    }

    /**
     * Every configured node's peer id, asked twice: a URL that answers as two peers, or two URLs that answer as one
     * peer, is a load-balanced address, which refuses the run. A node that cannot be reached is left out (the plan
     * then needs the others to cover every shard); a node that runs standalone refuses the run.
     */
    private List<Node> discover(BooleanSupplier cancelled) throws SnapshotFailure {
        List<Node> nodes = new ArrayList<>();
        Map<String, URI> seen = new LinkedHashMap<>();
        for (URI url : config.cluster().nodes().orElseThrow().urls()) {
            QdrantClient client = qdrant.at(url);
            String first;
            String second;
            try {
                QdrantClient.ClusterStatus status = client.clusterStatus(target.callTimeout(), cancelled);
                if (!status.enabled()) {
                    throw new SnapshotFailure(Kind.REFUSED, "QDRANT_CLUSTER_NODES lists " + url + ", which runs "
                            + "standalone (its GET /cluster says disabled): list the nodes of one Qdrant cluster, or "
                            + "unset QDRANT_CLUSTER_NODES for a single Qdrant; nothing was asked of Qdrant");
                }
                first = status.peerId();
                second = client.clusterStatus(target.callTimeout(), cancelled).peerId();
            } catch (QdrantException e) {
                if (e.kind() == QdrantException.Kind.CANCELLED) {
                    throw QdrantSnapshotTarget.failure(e);
                }
                if (e.credentialRefused()) {
                    throw new SnapshotFailure(Kind.UPSTREAM, "Node " + url + " of QDRANT_CLUSTER_NODES: "
                            + e.getMessage(), e);
                }
                nodes.add(new Node(url, client, null, e.getMessage()));
                continue;
            }
            if (!first.equals(second)) {
                throw loadBalanced(url + " answered as peer " + first + ", then as peer " + second);
            }
            URI other = seen.putIfAbsent(first, url);
            if (other != null) {
                throw loadBalanced(other + " and " + url + " both answered as peer " + first);
            }
            nodes.add(new Node(url, client, first, null));
        }
        if (nodes.stream().allMatch(n -> n.peerId() == null)) {
            throw new SnapshotFailure(Kind.UNREACHABLE, "No node of QDRANT_CLUSTER_NODES could be reached: " + String
                    .join("; ", nodes.stream().map(n -> n.url() + ": " + n.problem()).toList()));
        }
        return nodes;
    }

    private static SnapshotFailure loadBalanced(String what) {
        return new SnapshotFailure(Kind.REFUSED, "QDRANT_CLUSTER_NODES must list each node's own address, never a "
                + "load-balanced one: " + what + "; use the per-pod addresses (such as a StatefulSet's "
                + "http://qdrant-0.qdrant-headless:6333); nothing was snapshotted");
    }

    /** The plan, waiting up to {@code QDRANT_CLUSTER_SETTLE_TIMEOUT} while transfers or recoveries go on. */
    private ClusterPlan plan(String name, List<Node> nodes, Map<String, URI> byPeer, Cancellation cancellation)
            throws SnapshotFailure {
        Duration patience = config.cluster().settleTimeout();
        long deadline = System.nanoTime() + patience.toNanos();
        QdrantClient reader = nodes.stream().filter(n -> n.peerId() != null).findFirst().orElseThrow().client();
        while (true) {
            ShardPlacement placement;
            try {
                placement = reader.placement(name, target.callTimeout(), cancellation::cancelled);
            } catch (QdrantException e) {
                throw QdrantSnapshotTarget.failure(e);
            }
            try {
                return ClusterPlan.choose(name, placement, byPeer);
            } catch (ClusterPlan.Unplannable e) {
                String unreachable = nodes.stream().filter(n -> n.problem() != null)
                        .map(n -> n.url() + ": " + n.problem()).reduce((a, b) -> a + "; " + b)
                        .map(list -> " (unreachable: " + list + ")").orElse("");
                if (!e.settling() || System.nanoTime() - deadline >= 0) {
                    throw new SnapshotFailure(Kind.REFUSED, "Refusing a partial backup of the cluster: "
                            + e.getMessage() + unreachable + (e.settling() ? (patience.isZero()
                                    ? "; set QDRANT_CLUSTER_SETTLE_TIMEOUT to wait for it to settle"
                                    : "; still so after QDRANT_CLUSTER_SETTLE_TIMEOUT="
                                            + BoundedDuration.describe(patience))
                                    : "")
                            + "; nothing was snapshotted");
                }
                LOG.infof("Waiting for the cluster to settle before snapshotting collection `%s`: %s", name,
                        e.getMessage());
                QdrantSnapshotTarget.pause(SETTLE_POLL_MILLIS, cancellation);
            }
        }
    }

    /**
     * Captures every member, up to {@code QDRANT_CLUSTER_PARALLELISM} at once. The first member to fail stops the
     * others (but for a create already sent); then Qdrant's copy on every node is deleted, and the first failure is
     * thrown with what was cleaned.
     */
    private void captureAll(RunContext run, String name, SetStaging set, QdrantCopies copies, List<Member> members,
            Map<Member, List<String>> present) throws SnapshotFailure {
        AtomicReference<Member> failed = new AtomicReference<>();
        Queue<Member> waiting = new ConcurrentLinkedQueue<>(members);
        Runnable worker = () -> {
            for (Member member = waiting.poll(); member != null; member = waiting.poll()) {
                Member current = member;
                // a create already sent is awaited when another member fails (not at shutdown): Qdrant makes the
                // copy whether or not its answer is read, and only a copy whose name came back can be deleted now
                BooleanSupplier stopping = () -> run.cancellation().cancelled()
                        || (failed.get() != null && !current.creating);
                try {
                    if (!stopping.getAsBoolean()) {
                        member.version = version(member, stopping);
                        member.points = localPoints(member, name, stopping);
                    }
                    if (stopping.getAsBoolean()) {
                        member.failure = new SnapshotFailure(Kind.CANCELLED, "not started");
                        continue;
                    }
                    member.creating = true;
                    member.captured = target.capture(member.client, member.planned.node().toString(), name, copies,
                            present.get(member), set.writer(), member.fileName(), member.progress, stopping,
                            () -> current.creating = false);
                    LOG.infof("Cluster member done: %s, %d bytes, sha256=%s", member.where(),
                            member.captured.written().bytes(), member.captured.written().sha256());
                } catch (SnapshotFailure e) {
                    member.failure = e;
                    failed.compareAndSet(null, member);
                } catch (RuntimeException e) {
                    member.failure = new SnapshotFailure(Kind.LOCAL_IO, String.valueOf(e.getMessage()), e);
                    failed.compareAndSet(null, member);
                }
            }
        };
        // QDRANT_CLUSTER_PARALLELISM workers of Quarkus's pool, each taking the next member until none is left
        List<Future<?>> running = new ArrayList<>();
        for (int i = 0; i < Math.min(members.size(), config.cluster().parallelism()); i++) {
            running.add(executor.submit(worker));
        }
        for (Future<?> future : running) {
            try {
                future.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SnapshotFailure(Kind.CANCELLED, "Interrupted while the nodes were snapshotted", e);
            }
        }
        if (failed.get() == null && !run.cancellation().cancelled()) {
            return;
        }
        // the member that failed first; the others were stopped because of it (or all by shutdown)
        Member first = failed.get() != null ? failed.get()
                : members.stream().filter(m -> m.failure != null).findFirst().orElse(members.get(0));
        List<String> cleaned = cleanUp(name, copies, members);
        SnapshotFailure cause = first.failure != null ? first.failure
                : new SnapshotFailure(Kind.CANCELLED, "Cancelled");
        throw new SnapshotFailure(cause.kind(), first.where() + ": " + cause.getMessage()
                + "; no set was published" + (cleaned.isEmpty() ? "" : "; " + String.join("; ", cleaned)),
                cause);
    }

    /** Deletes Qdrant's copy on every node where the failed run left one; what fails stays in the ledger. */
    private List<String> cleanUp(String name, QdrantCopies copies, List<Member> members) {
        List<String> done = new ArrayList<>();
        for (Member member : members) {
            String left = member.captured != null && !member.captured.remoteDeleted()
                    ? member.captured.snapshotName()
                    : member.progress.snapshotName();
            if (left == null || (member.captured != null && !config.snapshot().deleteRemote())) {
                continue;
            }
            try {
                member.client.deleteSnapshot(name, left, target.callTimeout(), () -> false);
                copies.update(entries -> entries.removeIf(e -> left.equals(e.name())
                        && e.of(name, member.planned.node().toString())));
                done.add("Qdrant's copy " + left + " on " + member.where() + " was deleted");
            } catch (QdrantException e) {
                done.add("Qdrant's copy " + left + " on " + member.where() + " could not be deleted (the next run "
                        + "deletes it): " + e.getMessage());
            }
        }
        return done;
    }

    private QdrantClient.VersionInfo version(Member member, BooleanSupplier cancelled) throws SnapshotFailure {
        try {
            return member.client.version(target.callTimeout(), cancelled);
        } catch (QdrantException e) {
            if (e.kind() == QdrantException.Kind.CANCELLED) {
                throw QdrantSnapshotTarget.failure(e);
            }
            member.progress.remark("its Qdrant version could not be read: " + e.getMessage());
            return null;
        }
    }

    /** Qdrant's estimate of the points of each shard the node holds, read just before its snapshot. */
    private Map<Integer, Long> localPoints(Member member, String name, BooleanSupplier cancelled)
            throws SnapshotFailure {
        try {
            return member.client.placement(name, target.callTimeout(), cancelled).localPoints();
        } catch (QdrantException e) {
            if (e.kind() == QdrantException.Kind.CANCELLED) {
                throw QdrantSnapshotTarget.failure(e);
            }
            member.progress.remark("its shards' point estimates could not be read: " + e.getMessage());
            return Map.of();
        }
    }

    /** A member whose node now answers as another peer was not the node planned: the set would be a guess. */
    private void requireSamePeers(List<Member> members, BooleanSupplier cancelled) throws SnapshotFailure {
        for (Member member : members) {
            String now;
            try {
                now = member.client.clusterStatus(target.callTimeout(), cancelled).peerId();
            } catch (QdrantException e) {
                continue; // its file is verified and holds the planned shards; the set stands
            }
            if (!member.planned.peerId().equals(now)) {
                throw loadBalanced(member.planned.node() + " answered as peer " + member.planned.peerId()
                        + " when the run began and as peer " + now + " after its snapshot");
            }
        }
    }

    /** set.json: the fields every manifest has, then the set's own. */
    private static SetManifest setManifest(Manifest manifest, ClusterPlan plan, List<Member> members,
            List<String> remarks) {
        List<SetManifest.ShardKey> keys = new ArrayList<>();
        plan.keys().forEach((id, key) -> keys.add(new SetManifest.ShardKey(id, key)));
        SetManifest.Cluster cluster = new SetManifest.Cluster("distributed", plan.placement().shardCount(),
                plan.shards(), keys.isEmpty() ? null : keys);
        List<SetManifest.Member> written = new ArrayList<>();
        for (Member member : members) {
            Map<String, Long> estimate = new LinkedHashMap<>();
            member.points.forEach((id, points) -> estimate.put(String.valueOf(id), points));
            SnapshotFileWriter.Written file = member.captured.written();
            written.add(new SetManifest.Member(member.fileName(), member.planned.peerId(),
                    member.planned.node().toString(), member.version == null ? null : member.version.version(),
                    member.version == null ? null : member.version.commit(), file.bytes(), file.sha256(),
                    member.captured.qdrantChecksum() ? "qdrant" : "computed", member.captured.snapshotName(),
                    member.planned.shards(), member.planned.active(), member.captured.facts().shardsWithData(),
                    estimate, member.captured.facts().toJson(),
                    member.progress.message() == null ? null : member.progress.remarks()));
        }
        List<String> all = new ArrayList<>(manifest.remarks());
        remarks.stream().filter(r -> !r.startsWith("Manifest: ")).forEach(all::add);
        return SetManifest.of(manifest, Instant.now().toString(), cluster, all, NOT_ONE_POINT_IN_TIME, written);
    }

    private static String describe(ClusterPlan plan) {
        return String.join(", ", plan.members().stream().map(m -> "peer " + m.peerId() + " at " + m.node()
                + " for shard" + (m.shards().size() > 1 ? "s " : " ") + join(m.shards())).toList());
    }

    private static String join(List<Integer> ids) {
        return String.join(", ", ids.stream().map(String::valueOf).toList());
    }
}
