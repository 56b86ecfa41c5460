package io.trustmesh.proxy;

import io.trustmesh.api.x509.X509Source;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.svid.X509Svid;

/** An identity that never changes, with bundles for several trust domains (federation). */
record FixedX509Source(X509Svid svid, X509BundleSet bundles) implements X509Source {
  @Override
  public AutoCloseable subscribe(Runnable listener) {
    return () -> {};
  }

  @Override
  public void close() {}
}
