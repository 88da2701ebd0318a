package dev.snapshotter.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.config.ConfigMappings;

/**
 * Says at boot, in a WARN each, what the environment sets that changes nothing, so that a misspelled variable is not
 * silently ignored: {@code QDRANT_SNAPSHOT_S3_BUCKT} would leave off-site copies off while the operator believes them
 * on. A {@code QDRANT_SNAPSHOT_...} name this service does not read is named (with the one it most likely meant);
 * another {@code QDRANT_...} name only when it is one or two letters from ours (the app beside it, the Kairos memory
 * server, reads {@code QDRANT_...} variables of its own). Off-site settings ({@code QDRANT_SNAPSHOT_S3_...},
 * {@code QDRANT_SNAPSHOT_VERIFY_OFFSITE}) set while {@code QDRANT_SNAPSHOT_S3_BUCKET} is not are named too. Values are never
 * shown. Nothing here fails the boot: a variable of the app beside it in a
 * shared environment file must not stop the backups.
 */
@ApplicationScoped
// the names are read from the mapping's interfaces, whose methods a native executable keeps only when registered
@RegisterForReflection(targets = { QdrantConfig.class, QdrantConfig.Cluster.class, QdrantConfig.Drill.class,
        QdrantConfig.Snapshot.class, QdrantConfig.S3.class, CalendarRetention.class })
class VariableCheck {

    private static final Logger LOG = Logger.getLogger(VariableCheck.class);
    private static final String OURS = "QDRANT_SNAPSHOT_";
    private static final String OFFSITE = "QDRANT_SNAPSHOT_S3_";
    static final String BUCKET = "QDRANT_SNAPSHOT_S3_BUCKET";
    /** An off-site setting whose name does not say so. */
    private static final String VERIFY_OFFSITE = "QDRANT_SNAPSHOT_VERIFY_OFFSITE";

    private final QdrantConfig config;

    VariableCheck(QdrantConfig config) {
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        Set<String> known = known();
        if (!known.containsAll(Set.of("QDRANT_URL", "QDRANT_SNAPSHOT_DIR", BUCKET))) {
            // the mapping could not be read whole: better no warning than a false one for every variable
            LOG.debugf("Variables set in vain are not looked for: the configuration's names could not be read (%d)",
                    known.size());
            return;
        }
        warnings(System.getenv(), known, config.snapshot().s3().bucket().isPresent()).forEach(LOG::warn);
    }

    /** Every variable this service reads, from its one configuration mapping. */
    static Set<String> known() {
        return ConfigMappings.getProperties(ConfigMappings.ConfigClass.configClass(QdrantConfig.class, "qdrant"))
                .keySet().stream().map(BootFailure::variable).collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * @param environment the process's environment
     * @param known the variables this service reads
     * @param bucket whether off-site copies are on
     * @return one sentence per variable set in vain, in the order of their names
     */
    static List<String> warnings(Map<String, String> environment, Set<String> known, boolean bucket) {
        List<String> warnings = new ArrayList<>();
        Set<String> offsite = new TreeSet<>();
        for (String name : new TreeSet<>(environment.keySet())) {
            if (!name.startsWith("QDRANT_")) {
                continue;
            }
            if (known.contains(name)) {
                if (!bucket && (name.startsWith(OFFSITE) || name.equals(VERIFY_OFFSITE)) && !name.equals(BUCKET)) {
                    offsite.add(name);
                }
                continue;
            }
            String meant = closest(name, known);
            if (meant != null) {
                warnings.add(name + " is set, but this service reads no variable of that name: did you mean " + meant
                        + "? It is ignored.");
            } else if (name.startsWith(OURS)) {
                warnings.add(name + " is set, but this service reads no variable of that name; it is ignored (README "
                        + "\"Configuration\" lists the variables).");
            }
        }
        if (!offsite.isEmpty()) {
            warnings.add(String.join(", ", offsite) + (offsite.size() == 1 ? " is" : " are") + " set, but " + BUCKET
                    + " is not: off-site copies are off, so " + (offsite.size() == 1 ? "it does" : "they do")
                    + " nothing; set the bucket to copy snapshots off-site.");
        }
        return warnings;
    }

    /** The known name at most two edits from {@code name} (the nearest; the first in order on a tie), or null. */
    static String closest(String name, Set<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String candidate : known) {
            int distance = distance(name, candidate, bestDistance);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /**
     * The edits (insert, delete, replace, swap of neighbours) that turn {@code a} into {@code b}, or {@code limit} when
     * that many or more.
     */
    static int distance(String a, String b, int limit) {
        if (Math.abs(a.length() - b.length()) >= limit) {
            return limit;
        }
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return Math.min(d[a.length()][b.length()], limit);
    }
}
