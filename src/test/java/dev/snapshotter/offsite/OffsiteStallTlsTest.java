package dev.snapshotter.offsite;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.InjectS3;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.Relay;
import dev.snapshotter.support.S3Bucket;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.WithQdrantStandIn;
import dev.snapshotter.support.WithS3;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@link OffsiteStallTest}'s stalled part over https: a TLS socket's close waits for the lock a blocked write holds, so
 * cutting the connection needs its own care there.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "S3_ENDPOINT", matches = ".+")
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.stall-timeout", value = "2s"))
@WithS3(proxy = WithS3.Proxy.TLS, config = @ResourceArg(name = "qdrant.snapshot.s3.part-size", value = "8MiB"))
@ExtendWith(SecretsStayHidden.class)
class OffsiteStallTlsTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    @InjectS3
    S3Bucket bucket;

    @InjectS3
    Relay proxy;

    @BeforeEach
    void reset() {
        qdrant.reset();
        bucket.empty(bucket.prefix() + "/");
    }

    @AfterEach
    void flow() {
        proxy.flowAgain();
    }

    @Test
    void s3StoppingToReadAPartOverHttpsFailsTheRunAsATimeout() {
        OffsiteStallTest.partStallFailsTheRunAndTheNextRunCatchesUp(qdrant, bucket, proxy);
    }
}
