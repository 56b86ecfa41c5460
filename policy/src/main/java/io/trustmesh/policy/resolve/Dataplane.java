package io.trustmesh.policy.resolve;

/** What proxies a workload's traffic: an Istio sidecar, Istio ambient (ztunnel), Linkerd's proxy, or nothing. */
public enum Dataplane {
  ISTIO_SIDECAR("istio-sidecar"),
  ISTIO_AMBIENT("istio-ambient"),
  LINKERD("linkerd"),
  NONE("none");

  private final String label;

  Dataplane(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  public boolean istio() {
    return this == ISTIO_SIDECAR || this == ISTIO_AMBIENT;
  }
}
