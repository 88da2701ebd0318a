package dev.snapshotter.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a field that {@link QdrantStandInResource} fills: the {@link QdrantStandIn}, its {@link SnapshotDir}, or its
 * {@link Relay}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface InjectQdrant {
}
