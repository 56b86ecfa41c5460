package io.trustmesh.policy.render;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What {@code trustmesh render --target} writes. */
public enum RenderTarget {
  ISTIO("istio"),
  LINKERD("linkerd"),
  CERT_MANAGER("cert-manager"),
  SPIRE("spire"),
  KUBERNETES("kubernetes");

  private final String spelling;

  RenderTarget(String spelling) {
    this.spelling = spelling;
  }

  public String spelling() {
    return spelling;
  }

  public static RenderTarget of(String raw) {
    for (RenderTarget t : values()) {
      if (t.spelling.equals(raw.toLowerCase(Locale.ROOT))) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown render target '" + raw + "' (targets: "
        + Arrays.stream(values()).map(RenderTarget::spelling).collect(Collectors.joining(", ")) + ")");
  }
}
