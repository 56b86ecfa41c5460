package io.trustmesh.policy.render;

/** One file a render produces: its name (e.g. {@code istio.yaml}, {@code server.conf}) and its text. */
public record RenderedFile(String name, String text) {}
