package dev.snapshotter.config;

import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.microprofile.config.spi.Converter;

/**
 * The {@code QDRANT_SNAPSHOT_S3_*} variables that need more than a type: each refuses a bad value with one sentence
 * naming its variable. Each converter declares {@code convert} with its own return type, as SmallRye Config's build
 * step requires.
 */
public final class S3Settings {

    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,13})\\s*([KMG]i?B?|B)?", Pattern.CASE_INSENSITIVE);
    static final long MIN_PART = 5L << 20;
    /**
     * A part is held in memory while it is sent, so 1 GiB rather than S3's 5 GiB: a Java array holds less than 2 GiB, and
     * 10,000 parts of 1 GiB pass S3's 5 TiB object limit anyway (a file too large for the set size gets larger parts).
     */
    static final long MAX_PART = 1L << 30;

    private S3Settings() {
    }

    /** {@code QDRANT_SNAPSHOT_S3_BUCKET}: S3's bucket naming rules. */
    public static final class Bucket implements Converter<String> {
        @Override
        public String convert(String value) {
            String bucket = value.trim();
            if (!BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
                throw new IllegalArgumentException("QDRANT_SNAPSHOT_S3_BUCKET must be a bucket name of 3 to 63 "
                        + "lower-case letters, digits, `.` or `-`, starting and ending with a letter or digit, but it is \""
                        + bucket + "\".");
            }
            return bucket;
        }
    }

    /** {@code QDRANT_SNAPSHOT_S3_PREFIX}: slashes around it are dropped; no empty segment, no {@code .} or {@code ..}. */
    public static final class Prefix implements Converter<String> {
        @Override
        public String convert(String value) {
            String prefix = value.trim().replaceAll("^/+|/+$", "");
            for (String segment : prefix.split("/", -1)) {
                if (segment.isEmpty() || segment.equals(".") || segment.equals("..")
                        || !segment.matches("[A-Za-z0-9!_.*'()-]+")) {
                    throw new IllegalArgumentException("QDRANT_SNAPSHOT_S3_PREFIX must be key segments of letters, "
                            + "digits and !_.*'()- separated by single `/`, such as backups/prod, but it is \"" + value.trim()
                            + "\".");
                }
            }
            return prefix;
        }
    }

    /** {@code QDRANT_SNAPSHOT_S3_REGION}: a region id such as {@code eu-west-1}. */
    public static final class Region implements Converter<String> {
        @Override
        public String convert(String value) {
            String region = value.trim();
            if (!region.matches("[a-z0-9-]{2,40}")) {
                throw new IllegalArgumentException("QDRANT_SNAPSHOT_S3_REGION must be a region id such as eu-west-1 "
                        + "or us-east-1, but it is \"" + region + "\".");
            }
            return region;
        }
    }

    /** {@code QDRANT_SNAPSHOT_S3_PART_SIZE}: {@code 16MiB}, {@code 64M}, or bytes; 5 MiB (S3's least) to 1 GiB. */
    public static final class PartSize implements Converter<Long> {
        @Override
        public Long convert(String value) {
            Long bytes = bytes(value);
            if (bytes == null || bytes < MIN_PART || bytes > MAX_PART) {
                throw new IllegalArgumentException("QDRANT_SNAPSHOT_S3_PART_SIZE must be from 5MiB (S3's least "
                        + "part) to 1GiB (a part is held in memory), written like 16MiB or 64M, but it is \"" + value.trim()
                        + "\".");
            }
            return bytes;
        }
    }

    /** {@code QDRANT_SNAPSHOT_S3_UPLOAD_CONCURRENCY}: 1 to 32 parts at once. */
    public static final class Concurrency extends BoundedCount {
        public Concurrency() {
            super("QDRANT_SNAPSHOT_S3_UPLOAD_CONCURRENCY", 1, 32, "parts uploaded at once");
        }

        @Override
        public Integer convert(String value) {
            return super.convert(value);
        }
    }

    /** {@code QDRANT_SNAPSHOT_S3_SSE}: S3's names of its two server-side encryptions, in S3's spelling. */
    public static final class Sse implements Converter<String> {
        public static final String SSE_S3 = "AES256";
        public static final String SSE_KMS = "aws:kms";

        @Override
        public String convert(String value) {
            String sse = value.trim();
            for (String known : List.of(SSE_S3, SSE_KMS)) {
                if (known.equalsIgnoreCase(sse)) {
                    return known;
                }
            }
            throw new IllegalArgumentException("QDRANT_SNAPSHOT_S3_SSE must be AES256 (SSE-S3: keys S3 manages) or "
                    + "aws:kms (SSE-KMS: a KMS key, QDRANT_SNAPSHOT_S3_SSE_KMS_KEY_ID), but it is \"" + sse + "\".");
        }
    }

    /** {@code QDRANT_SNAPSHOT_S3_LOCK_MODE}: S3 Object Lock's two retention modes, in S3's spelling. */
    public static final class LockMode implements Converter<String> {
        @Override
        public String convert(String value) {
            String mode = value.trim().toUpperCase(Locale.ROOT);
            if (!mode.equals("GOVERNANCE") && !mode.equals("COMPLIANCE")) {
                throw new IllegalArgumentException("QDRANT_SNAPSHOT_S3_LOCK_MODE must be GOVERNANCE (a credential "
                        + "with s3:BypassGovernanceRetention may still delete) or COMPLIANCE (nobody may, the account's "
                        + "root included, until the lock ends), but it is \"" + value.trim() + "\".");
            }
            return mode;
        }
    }

    /** What no single variable can say: the S3 settings that only make sense together. */
    static void requireConsistent(QdrantConfig.S3 s3) {
        if (s3.accessKey().isPresent() != s3.secretKey().isPresent()) {
            throw new IllegalStateException("QDRANT_SNAPSHOT_S3_ACCESS_KEY and QDRANT_SNAPSHOT_S3_SECRET_KEY go "
                    + "together: set both for a static credential, or neither for the AWS SDK's default chain "
                    + "(environment, profile, web identity, container credentials).");
        }
        if (s3.sseKmsKeyId().isPresent() && !s3.sse().equals(Optional.of(Sse.SSE_KMS))) {
            throw new IllegalStateException("QDRANT_SNAPSHOT_S3_SSE_KMS_KEY_ID names the KMS key of SSE-KMS, but "
                    + "QDRANT_SNAPSHOT_S3_SSE is " + s3.sse().map(sse -> "\"" + sse + "\"").orElse("not set")
                    + "; set QDRANT_SNAPSHOT_S3_SSE=aws:kms, or unset the key.");
        }
        if (s3.lockMode().isPresent() != s3.lockFor().isPresent()) {
            throw new IllegalStateException("QDRANT_SNAPSHOT_S3_LOCK_MODE and QDRANT_SNAPSHOT_S3_LOCK_FOR go together: "
                    + "set both to lock each off-site object (for example COMPLIANCE and 30d), or neither.");
        }
        if (s3.bucket().isEmpty()) {
            if (!s3.keepLocal()) {
                throw new IllegalStateException("QDRANT_SNAPSHOT_S3_KEEP_LOCAL=false removes each local snapshot once "
                        + "its off-site copy is confirmed, but QDRANT_SNAPSHOT_S3_BUCKET is not set, so there would be "
                        + "no copy at all; set the bucket, or unset QDRANT_SNAPSHOT_S3_KEEP_LOCAL.");
            }
            return;
        }
        if (s3.caCertPath().isPresent() && !Files.isReadable(s3.caCertPath().get())) {
            throw new IllegalStateException("QDRANT_SNAPSHOT_S3_CA_CERT_PATH names " + s3.caCertPath().get()
                    + ", which is not a readable file.");
        }
    }

    /** A size as operators write it, binary units: {@code 16MiB} = {@code 16M} = 16777216; null when unreadable. */
    static Long bytes(String value) {
        Matcher matcher = SIZE.matcher(value.trim());
        if (!matcher.matches()) {
            return null;
        }
        long number = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "B" : matcher.group(2).toUpperCase(Locale.ROOT);
        int shift = switch (unit.charAt(0)) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            default -> 0;
        };
        return number > (Long.MAX_VALUE >> shift) ? null : number << shift;
    }
}
