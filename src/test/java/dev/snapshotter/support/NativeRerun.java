package dev.snapshotter.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;

/**
 * Marks an integration test that reruns its {@code @QuarkusTest} class, unchanged, against the packaged application.
 * Against the jar such a rerun repeats what surefire has just run on the same bytecode, with the same configuration
 * and stand-ins, so {@code ./mvnw verify} leaves it out (failsafe excludes the tag {@value #TAG}); against a native
 * executable ({@code -Dnative}, or {@code -Dit.excluded.groups=} with {@code -Dnative.image.path}) it runs, since
 * there the code is compiled anew and reflection, resources and TLS can break. One rerun per area is not marked and
 * runs against the jar as well (the packaged layout, the production profile, the entry point).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Tag(NativeRerun.TAG)
public @interface NativeRerun {

    String TAG = "native-rerun";
}
