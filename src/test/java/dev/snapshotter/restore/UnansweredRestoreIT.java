package dev.snapshotter.restore;

import dev.snapshotter.support.NativeRerun;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same behaviour against a native executable ({@link NativeRerun}: against the jar, surefire has run it). */
@QuarkusIntegrationTest
@NativeRerun
class UnansweredRestoreIT extends UnansweredRestoreTest {
}
