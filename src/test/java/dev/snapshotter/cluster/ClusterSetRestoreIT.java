package dev.snapshotter.cluster;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same behaviour against the packaged application (and the native binary when one is built). */
@QuarkusIntegrationTest
class ClusterSetRestoreIT extends ClusterSetRestoreTest {
}
