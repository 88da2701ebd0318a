package dev.snapshotter.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An RFC 9457 problem document, the body of every refusal under {@code /api}. Registered for reflection because it
 * travels inside a {@code Response}, where Quarkus cannot see its type.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail) {

    static final String MEDIA_TYPE = "application/problem+json";
}
