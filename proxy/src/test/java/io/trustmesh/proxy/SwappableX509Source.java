package io.trustmesh.proxy;

import io.trustmesh.api.x509.X509Source;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.svid.X509Svid;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An identity a test replaces, as an agent would push a rotation or a new bundle. */
final class SwappableX509Source implements X509Source {
  private volatile X509Svid svid;
  private volatile X509BundleSet bundles;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  SwappableX509Source(X509Svid svid, X509BundleSet bundles) {
    this.svid = svid;
    this.bundles = bundles;
  }

  void update(X509Svid newSvid, X509BundleSet newBundles) {
    this.svid = newSvid;
    this.bundles = newBundles;
    listeners.forEach(Runnable::run);
  }

  @Override
  public X509Svid svid() {
    return svid;
  }

  @Override
  public X509BundleSet bundles() {
    return bundles;
  }

  @Override
  public AutoCloseable subscribe(Runnable listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public void close() {}
}
