package io.trustmesh.api.x509;

import io.trustmesh.core.svid.X509Svid;

/** Supplies the current X.509-SVID; the answer changes when the identity rotates. */
@FunctionalInterface
public interface SvidSource {
  X509Svid svid();
}
