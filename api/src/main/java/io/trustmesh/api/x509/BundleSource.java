package io.trustmesh.api.x509;

import io.trustmesh.core.bundle.X509BundleSet;

/** Supplies the current trust bundles, keyed by trust domain. */
@FunctionalInterface
public interface BundleSource {
  X509BundleSet bundles();
}
