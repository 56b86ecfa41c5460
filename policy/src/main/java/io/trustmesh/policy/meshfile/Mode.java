package io.trustmesh.policy.meshfile;

/**
 * What a port accepts, in the mesh file's words (Istio's PeerAuthentication modes without
 * {@code UNSET}: an absent field is how the mesh file says "inherit").
 */
public enum Mode {
  STRICT,
  PERMISSIVE,
  DISABLE
}
