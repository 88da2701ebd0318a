package dev.snapshotter.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.quarkus.test.common.WithTestResource;

/**
 * The test class sees what the app in this JVM logs from before it boots: a {@link LogCapture} installed before the
 * app starts and closed after it stops, filled into the class's {@code LogCapture} fields. For the lines the app logs
 * while it boots, or from work the boot hands to another thread, which a capture installed in a test method may miss.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Inherited
@WithTestResource(BootLogResource.class)
public @interface WithBootLog {
}
