package dev.snapshotter.qdrant;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same behaviour against the packaged application (and the native binary when one is built). */
@QuarkusIntegrationTest
class QdrantTlsIT extends QdrantTlsTest {
}
