package dev.snapshotter.support;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Installs the {@link LogCapture} of {@link WithBootLog} before the app boots, and closes it once it has stopped. */
public class BootLogResource implements QuarkusTestResourceLifecycleManager {

    private LogCapture log;

    @Override
    public Map<String, String> start() {
        log = LogCapture.install();
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
        }
    }
}
