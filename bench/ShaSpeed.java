import java.security.MessageDigest;
import java.util.Random;

/** The JDK's SHA-256 speed on a memory buffer, as the service hashes (1 MiB updates). Prints MiB/s. */
public class ShaSpeed {
    public static void main(String[] args) throws Exception {
        byte[] buffer = new byte[1 << 20];
        new Random(42).nextBytes(buffer);
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < 2048; i++) {
            sha256.update(buffer); // warm-up: let the JIT install the intrinsic
        }
        int mebibytes = 4096;
        long start = System.nanoTime();
        for (int i = 0; i < mebibytes; i++) {
            sha256.update(buffer);
        }
        sha256.digest();
        System.out.printf("%.0f%n", mebibytes / ((System.nanoTime() - start) / 1e9));
    }
}
