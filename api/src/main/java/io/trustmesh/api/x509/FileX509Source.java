package io.trustmesh.api.x509;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.svid.X509Svid;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * An {@link X509Source} backed by PEM files, as written by spiffe-helper or {@code trustmesh agent}:
 * {@code svid.pem} (chain, leaf first), {@code svid_key.pem} (PKCS#8) and {@code svid_bundle.pem}
 * (the roots of the SVID's own trust domain).
 *
 * <p>The files are watched and reloaded when they change, and re-read every {@code safetyNet}
 * period in case an event was missed. A new state replaces the old one only when all files parse
 * and the key matches the certificate; otherwise the last good state stays in service and the
 * failure is reported to {@code onFailure}. Because a rotation rewrites the files one at a time, a
 * mismatch is reported only when it is still there a moment later.
 *
 * <pre>{@code
 * try (FileX509Source source = FileX509Source.watchDirectory(dir, Duration.ofSeconds(30), log::warn)) {
 *   X509Svid svid = source.svid();
 * }
 * }</pre>
 */
public final class FileX509Source implements X509Source {
  private static final System.Logger LOG = System.getLogger(FileX509Source.class.getName());
  private static final long SETTLE_MILLIS = 300;

  private record State(X509Svid svid, X509BundleSet bundles, byte[] fingerprint) {}

  private final Path certFile;
  private final Path keyFile;
  private final Optional<Path> bundleFile;
  private final Consumer<String> onFailure;
  private final AtomicReference<State> state = new AtomicReference<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService timer;
  private final WatchService watcher;
  private final Thread watchThread;
  private volatile String lastFailure;
  private byte[] pendingFailure; // guarded by this

  private FileX509Source(Path certFile, Path keyFile, Optional<Path> bundleFile, Duration safetyNet,
      Consumer<String> onFailure) {
    this.certFile = certFile.toAbsolutePath();
    this.keyFile = keyFile.toAbsolutePath();
    this.bundleFile = bundleFile.map(Path::toAbsolutePath);
    this.onFailure = onFailure;
    State first = load(); // throws BadInputException: nothing to serve yet
    state.set(first);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "trustmesh-svid-reload"));
    if (!safetyNet.isZero() && !safetyNet.isNegative()) {
      timer.scheduleWithFixedDelay(this::reload, safetyNet.toMillis(), safetyNet.toMillis(), TimeUnit.MILLISECONDS);
    }
    try {
      this.watcher = this.certFile.getFileSystem().newWatchService();
      Set<Path> dirs = new LinkedHashSet<>();
      dirs.add(this.certFile.getParent());
      dirs.add(this.keyFile.getParent());
      this.bundleFile.ifPresent(b -> dirs.add(b.getParent()));
      for (Path d : dirs) {
        d.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
            StandardWatchEventKinds.ENTRY_DELETE);
      }
    } catch (IOException e) {
      timer.shutdownNow();
      throw new UncheckedIOException("cannot watch " + this.certFile.getParent() + ": " + e.getMessage(), e);
    }
    this.watchThread = daemon(this::watchLoop, "trustmesh-svid-watch");
    watchThread.start();
  }

  /** Watches {@code svid.pem}, {@code svid_key.pem} and {@code svid_bundle.pem} in {@code dir}. */
  public static FileX509Source watchDirectory(Path dir, Duration safetyNet, Consumer<String> onFailure) {
    if (!Files.isDirectory(dir)) {
      throw new BadInputException("SVID directory not found: " + dir);
    }
    return new FileX509Source(dir.resolve(X509Svid.CERT_FILE), dir.resolve(X509Svid.KEY_FILE),
        Optional.of(dir.resolve(X509Svid.BUNDLE_FILE)), safetyNet, onFailure);
  }

  /**
   * Watches explicitly named files. Without a bundle file the source has no bundles (enough to
   * present an identity to a server checked by other means).
   */
  public static FileX509Source watchFiles(Path cert, Path key, Optional<Path> bundle, Duration safetyNet,
      Consumer<String> onFailure) {
    return new FileX509Source(cert, key, bundle, safetyNet, onFailure);
  }

  @Override
  public X509Svid svid() {
    return state.get().svid();
  }

  @Override
  public X509BundleSet bundles() {
    return state.get().bundles();
  }

  /** The last reload failure in words, or empty when the last attempt succeeded. */
  public Optional<String> lastFailure() {
    return Optional.ofNullable(lastFailure);
  }

  @Override
  public AutoCloseable subscribe(Runnable listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /**
   * Reads the files now; swaps in the new state if it differs and is valid. Called by the watcher
   * and the safety-net timer; public for callers that know the files just changed.
   */
  public synchronized void reload() {
    byte[] fingerprint;
    try {
      fingerprint = fingerprint();
    } catch (RuntimeException e) {
      fail(null, e.getMessage());
      return;
    }
    if (Arrays.equals(fingerprint, state.get().fingerprint())) {
      pendingFailure = null;
      lastFailure = null;
      return;
    }
    State next;
    try {
      next = load();
    } catch (RuntimeException e) {
      fail(fingerprint, e.getMessage());
      return;
    }
    pendingFailure = null;
    lastFailure = null;
    state.set(next);
    LOG.log(System.Logger.Level.INFO, "loaded new SVID " + next.svid());
    for (Runnable l : listeners) {
      try {
        l.run();
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "SVID update listener failed: " + e, e);
      }
    }
  }

  /**
   * A rotation writes the files one by one, so a failure is only reported when the same content
   * still fails after a short pause.
   */
  private void fail(byte[] fingerprint, String reason) {
    if (fingerprint != null && !Arrays.equals(fingerprint, pendingFailure)) {
      pendingFailure = fingerprint;
      timer.schedule(this::reload, SETTLE_MILLIS, TimeUnit.MILLISECONDS);
      return;
    }
    String message = "reload of " + certFile + " failed, keeping the last good SVID ("
        + state.get().svid().spiffeId() + ", serial " + state.get().svid().leaf().getSerialNumber().toString(16)
        + "): " + reason;
    if (!message.equals(lastFailure)) {
      LOG.log(System.Logger.Level.WARNING, message);
      onFailure.accept(message);
    }
    lastFailure = message;
  }

  private byte[] fingerprint() {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(read(certFile));
      md.update((byte) 0);
      md.update(read(keyFile));
      md.update((byte) 0);
      if (bundleFile.isPresent()) {
        md.update(read(bundleFile.get()));
      }
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new BadInputException("file not found: " + file);
    } catch (IOException e) {
      throw new BadInputException("cannot read " + file + ": " + e.getMessage());
    }
  }

  private State load() {
    byte[] cert = read(certFile);
    byte[] key = read(keyFile);
    byte[] bundle = bundleFile.map(FileX509Source::read).orElse(null);
    List<X509Certificate> chain = Pem.parseCertificates(cert, certFile.toString());
    PrivateKey privateKey = Pem.parsePrivateKey(key, keyFile.toString(), Optional.empty());
    X509Svid svid = X509Svid.of(chain, privateKey, certFile.toString());
    X509BundleSet bundles = X509BundleSet.of();
    if (bundle != null) {
      List<X509Certificate> roots = Pem.parseCertificates(bundle, bundleFile.get().toString());
      if (roots.isEmpty()) {
        throw new BadInputException("no certificate in bundle " + bundleFile.get());
      }
      bundles = X509BundleSet.of(new X509Bundle(svid.spiffeId().trustDomain(), roots));
    }
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    md.update(cert);
    md.update((byte) 0);
    md.update(key);
    md.update((byte) 0);
    if (bundle != null) {
      md.update(bundle);
    }
    return new State(svid, bundles, md.digest());
  }

  private void watchLoop() {
    Set<Path> names = Set.of(certFile.getFileName(), keyFile.getFileName(),
        bundleFile.map(Path::getFileName).orElse(certFile.getFileName()));
    try {
      while (true) {
        WatchKey key = watcher.take();
        boolean relevant = false;
        for (WatchEvent<?> event : key.pollEvents()) {
          Object ctx = event.context();
          relevant |= event.kind() == StandardWatchEventKinds.OVERFLOW || (ctx instanceof Path p && names.contains(p));
        }
        key.reset();
        if (relevant) {
          timer.execute(this::reload);
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closed
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      watcher.close();
    } catch (IOException e) {
      // nothing left to do
    }
    watchThread.interrupt();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
