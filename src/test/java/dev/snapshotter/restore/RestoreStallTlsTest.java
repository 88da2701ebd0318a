package dev.snapshotter.restore;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Relay;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@link RestoreStallTest}'s stalled upload over https (a private CA, {@code QDRANT_CA_CERT_PATH}): a TLS socket's close
 * waits for the lock a blocked write holds, so cutting the connection needs its own care there.
 */
@QuarkusTest
@WithQdrantStandIn(relayed = WithQdrantStandIn.Relaying.TLS, config = @ResourceArg(name = "qdrant.snapshot.stall-timeout", value = "2s"))
@ExtendWith(SecretsStayHidden.class)
class RestoreStallTlsTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectQdrant
    Relay relay;

    @BeforeEach
    void reset() {
        qdrant.reset();
    }

    @AfterEach
    void flow() {
        relay.flowAgain();
    }

    @Test
    void anUploadQdrantStopsReadingOverHttpsIsCutAndTheRestoreFails() {
        RestoreStallTest.uploadStallFailsTheRestore(qdrant, relay);
    }
}
