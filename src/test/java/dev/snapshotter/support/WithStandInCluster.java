package dev.snapshotter.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;

/**
 * The app of this test class backs up a {@link StandInCluster} of three nodes (injected with {@link InjectQdrant}),
 * every node in {@code QDRANT_CLUSTER_NODES} and {@code QDRANT_URL} the first, into a fresh snapshot directory.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Inherited
@WithTestResource(QdrantClusterResource.class)
@WithTestResource(BootLogResource.class)
public @interface WithStandInCluster {

    /** More configuration of the app. */
    ResourceArg[] config() default {};

    /** A fourth stand-in, a single-node cluster, is {@code QDRANT_DRILL_URL}. */
    boolean drillNode() default false;
}
