package dev.snapshotter.qdrant;

/**
 * Qdrant names a snapshot; we put that name in a URL path. A name that is not a plain file name (a separator,
 * {@code ..}, a percent escape or a control character) could steer that URL elsewhere, so it is refused.
 */
final class SnapshotNames {

    private SnapshotNames() {
    }

    static boolean isSafe(String name) {
        if (name == null || name.isEmpty() || name.length() > 255 || name.equals(".") || name.equals("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\' || c == '%' || c == '?' || c == '#' || Character.isISOControl(c)) {
                return false;
            }
        }
        return true;
    }

    /** Quotes a name for a message, with control characters made visible. */
    static String quote(String name) {
        if (name == null) {
            return "(none)";
        }
        StringBuilder quoted = new StringBuilder("`");
        name.codePoints().limit(300).forEach(cp -> {
            if (Character.isISOControl(cp)) {
                quoted.append(String.format("\\u%04x", cp));
            } else {
                quoted.appendCodePoint(cp);
            }
        });
        return quoted.append('`').toString();
    }
}
