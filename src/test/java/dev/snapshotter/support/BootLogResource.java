package dev.snapshotter.support;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * What the app in this JVM logs from before it boots: a {@link LogCapture} installed before the app starts and closed
 * once it has stopped, filled into the test class's {@code LogCapture} fields and read by {@link SecretsStayHidden}. A
 * capture installed in a test method, or by a JUnit extension, misses the lines of the boot and of the work the boot
 * hands to other threads. Part of {@link WithQdrantStandIn} and {@link WithStandInCluster}.
 */
public class BootLogResource implements QuarkusTestResourceLifecycleManager {

    private static volatile LogCapture current;

    private LogCapture log;

    /** The capture of the app running now; null when none runs in this JVM with a stand-in. */
    static LogCapture current() {
        return current;
    }

    @Override
    public Map<String, String> start() {
        log = LogCapture.install();
        current = log;
        return Map.of();
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(log, new TestInjector.MatchesType(LogCapture.class));
    }

    @Override
    public void stop() {
        if (log != null) {
            log.close();
            if (current == log) {
                current = null;
            }
        }
    }
}
