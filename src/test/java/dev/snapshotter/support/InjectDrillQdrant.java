package dev.snapshotter.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Marks the {@link QdrantStandIn} field that {@link DrillQdrantResource} fills: the drills' throwaway Qdrant. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface InjectDrillQdrant {
}
