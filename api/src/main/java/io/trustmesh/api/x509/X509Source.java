package io.trustmesh.api.x509;

/**
 * A live source of an X.509-SVID and the bundles to verify peers with, as in java-spiffe: backed by
 * files on disk (reloaded when they change) or by the SPIFFE Workload API (pushed on rotation).
 *
 * <p>Readers call {@link #svid()} and {@link #bundles()} whenever they need the current state;
 * those never block and never return a half-updated state. A failed update keeps the last good
 * state.
 *
 * <pre>{@code
 * try (X509Source source = ...) {
 *   source.subscribe(() -> rebuildTlsContext(source.svid(), source.bundles()));
 * }
 * }</pre>
 */
public interface X509Source extends SvidSource, BundleSource, AutoCloseable {
  /**
   * Calls {@code listener} after every successful update. Returns a handle whose {@code close()}
   * unsubscribes.
   */
  AutoCloseable subscribe(Runnable listener);

  /** Stops watching or streaming; the last state stays readable. */
  @Override
  void close();
}
