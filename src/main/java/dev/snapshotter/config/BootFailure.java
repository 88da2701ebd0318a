package dev.snapshotter.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.smallrye.config.ConfigValidationException;

/**
 * Turns whatever stopped the boot into the sentences an operator needs: one per problem, naming the variable, with
 * no stack trace and no configuration-library codes. Our own checks already speak in such sentences (they start
 * with the variable); SmallRye Config's wrap them, or speak of property names, and are unwrapped here. A value is
 * never shown unless our own sentence chose to show it (secrets never are).
 */
public final class BootFailure {

    private static final Pattern OURS = Pattern.compile("(?:converted|was) \"?(QDRANT_[A-Z0-9_]+ .*?)\"?\\s*$",
            Pattern.DOTALL);
    /** A converter that serves several variables ({@link FlagConverter}, {@link BoundedDuration}...) leaves the name here. */
    private static final Pattern UNNAMED = Pattern.compile("property ([a-z0-9.\\-]+) .*?converted \"?(must .*?)\"?\\s*$",
            Pattern.DOTALL);
    private static final Pattern PROPERTY = Pattern.compile("property ([a-z0-9.\\-]+)");
    private static final Pattern CODE = Pattern.compile("SRCFG\\d+");

    private BootFailure() {
    }

    public static List<String> describe(Throwable failure) {
        Set<String> sentences = new LinkedHashSet<>();
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof ConfigValidationException invalid) {
                for (int i = 0; i < invalid.getProblemCount(); i++) {
                    sentences.add(sentence(invalid.getProblem(i).getMessage()));
                }
            }
        }
        if (sentences.isEmpty()) {
            String ours = null;
            Throwable root = failure;
            for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
                if (t.getMessage() != null && t.getMessage().startsWith("QDRANT_")) {
                    ours = t.getMessage();
                }
                root = t;
            }
            sentences.add(ours != null ? ours
                    : "The service could not start: " + root.getClass().getSimpleName()
                            + (root.getMessage() == null ? "" : ": " + root.getMessage()));
        }
        return new ArrayList<>(sentences);
    }

    static String sentence(String problem) {
        Matcher ours = OURS.matcher(problem);
        if (ours.find()) {
            return ours.group(1);
        }
        Matcher unnamed = UNNAMED.matcher(problem);
        if (unnamed.find()) {
            return variable(unnamed.group(1)) + " " + unnamed.group(2);
        }
        Matcher property = PROPERTY.matcher(problem);
        if (!property.find()) {
            return CODE.matcher(problem).replaceAll("").trim();
        }
        String variable = variable(property.group(1));
        if (problem.contains("SRCFG00040") || problem.contains("empty String")) {
            return variable + " must not be empty; unset it for the default.";
        }
        if (problem.contains("SRCFG00014")) {
            return variable + " must be set.";
        }
        return variable + " has a value that cannot be read (the value is not shown).";
    }

    /** {@code qdrant.snapshot.on-start} is {@code QDRANT_SNAPSHOT_ON_START}. */
    static String variable(String property) {
        return property.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
    }
}
