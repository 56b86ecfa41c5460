package io.trustmesh.cli;

import io.trustmesh.api.workload.WorkloadApiException;
import io.trustmesh.api.workload.WorkloadApiX509Source;
import io.trustmesh.api.x509.FileX509Source;
import io.trustmesh.core.io.SecretFiles;
import io.trustmesh.core.io.TrustedFiles;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.BadInputException;
import io.trustmesh.api.x509.X509Source;
import io.trustmesh.core.crypto.CryptoProviders;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.time.Durations;
import io.trustmesh.proxy.Addresses;
import io.trustmesh.proxy.AdminLimits;
import io.trustmesh.proxy.InboundListener;
import io.trustmesh.proxy.InboundMode;
import io.trustmesh.proxy.OutboundListener;
import io.trustmesh.proxy.OutboundTls;
import io.trustmesh.proxy.Sidecar;
import io.trustmesh.proxy.SidecarConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Starts a sidecar from parsed options, prints what it serves, and runs until SIGTERM or Ctrl-C;
 * then stops accepting at once and drains: exit 0 when every open connection finished within the
 * drain timeout, 1 when some had to be cut (or a second signal cut them).
 */
final class SidecarRunner {
  private SidecarRunner() {}

  /**
   * Where the identity comes from: the SPIFFE Workload API of a trustmesh agent (pushed on every
   * rotation), a directory, or explicit cert/key (and bundle) files (watched and reloaded).
   * {@code spiffeId} picks one of the SVIDs the agent serves this uid (Workload API only).
   */
  record Files(Optional<String> workloadApi, Optional<SpiffeId> spiffeId, Optional<Path> dir, Optional<Path> cert,
      Optional<Path> key, Optional<Path> bundle) {
    Files {
      if (spiffeId.isPresent() && workloadApi.isEmpty()) {
        throw new BadInputException("--spiffe-id " + spiffeId.get()
            + " picks one of the agent's SVIDs: give --workload-api too");
      }
    }

    static Files none() {
      return new Files(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
          Optional.empty());
    }
  }

  /** How long to wait for the agent's first SVID before giving up at start. */
  static final Duration WORKLOAD_API_TIMEOUT = Duration.ofSeconds(30);

  /**
   * The identity and trust files are checked once at start, like ssh checks a key: the key must be
   * this user's alone, and no one else may write the certificate, the bundle or their directory
   * (whoever can write the bundle decides whom the sidecar admits).
   */
  private static void checkOwnership(Files files) {
    Optional<Path> cert = files.dir().map(d -> d.resolve(X509Svid.CERT_FILE)).or(files::cert);
    Optional<Path> key = files.dir().map(d -> d.resolve(X509Svid.KEY_FILE)).or(files::key);
    Optional<Path> bundle = files.dir().map(d -> d.resolve(X509Svid.BUNDLE_FILE)).or(files::bundle);
    key.ifPresent(k -> SecretFiles.requireOwnerOnly(k, "SVID key"));
    cert.ifPresent(c -> TrustedFiles.requireUnwritableByOthers(c, "SVID certificate"));
    bundle.ifPresent(b -> TrustedFiles.requireUnwritableByOthers(b, "trust bundle"));
  }

  /**
   * Event-loop threads when the user sets none ({@code -Dtrustmesh.proxy.threads}): one, the size of
   * a sidecar next to one workload (it relays thousands of connections per second on one core, see
   * docs/benchmarks.md); the JVM and Netty would otherwise start one per CPU of the node.
   */
  static final String DEFAULT_EVENT_LOOPS = "1";

  /**
   * Netty's Flight Recorder events, off unless the user sets {@code -Dio.netty.jfr.enabled=true}:
   * registering them starts JFR's event machinery in every sidecar (~200 classes and generated
   * handlers, ~1 MB and ~0.1 s of CPU at start) for events nobody records. Set before Netty loads.
   */
  static final String NETTY_JFR = "io.netty.jfr.enabled";

  /**
   * Amazon Corretto Crypto Provider only when asked for with {@code -Dtrustmesh.accp=true}. The
   * sidecar's TLS (handshake, signatures, records) runs in BoringSSL; the JCA verifies peer chains,
   * once per chain and bundle version (the verification cache), and digests them for that cache, which
   * the JDK's providers do fast enough. Loading ACCP costs every start the extraction of its 9.6 MB
   * native library to a temporary file, its self-tests (~0.3 s of CPU) and two threads.
   */
  static void installCryptoProvider() {
    if ("true".equalsIgnoreCase(System.getProperty(CryptoProviders.ACCP_PROPERTY))) {
      CryptoProviders.install();
    }
  }

  static int run(SidecarConfig config, Files files, Duration reloadInterval, PrintWriter out, PrintWriter err)
      throws Exception {
    return run(config, files, Map.of(), reloadInterval, out, err);
  }

  /**
   * As {@link #run(SidecarConfig, Files, Duration, PrintWriter, PrintWriter)}, with listeners that
   * present an identity of their own ({@code listenerFiles}: listener name to its files).
   */
  static int run(SidecarConfig config, Files files, Map<String, Files> listenerFiles, Duration reloadInterval,
      PrintWriter out, PrintWriter err) throws Exception {
    if (System.getProperty("trustmesh.proxy.threads") == null) {
      System.setProperty("trustmesh.proxy.threads", DEFAULT_EVENT_LOOPS);
    }
    if (System.getProperty(NETTY_JFR) == null) {
      System.setProperty(NETTY_JFR, "false");
    }
    installCryptoProvider();
    // Before starting, so that no signal falls between the start and the handler.
    Termination termination = Termination.install(Thread.currentThread());
    AtomicReference<Sidecar> running = new AtomicReference<>();
    checkOwnership(files);
    listenerFiles.values().forEach(SidecarRunner::checkOwnership);
    List<X509Source> opened = new ArrayList<>();
    X509Source source;
    Map<String, X509Source> listenerSources = new LinkedHashMap<>();
    Sidecar sidecar;
    try {
      source = open(files, reloadInterval, running, opened);
      // listeners naming the same files share one source (one watch, one agent stream)
      Map<Files, X509Source> byFiles = new HashMap<>();
      for (Map.Entry<String, Files> e : listenerFiles.entrySet()) {
        X509Source own = byFiles.get(e.getValue());
        if (own == null) {
          own = open(e.getValue(), reloadInterval, running, opened);
          byFiles.put(e.getValue(), own);
        }
        listenerSources.put(e.getKey(), own);
      }
      sidecar = Sidecar.start(config, source, listenerSources, Clock.systemUTC(), AdminLimits.DEFAULT);
    } catch (RuntimeException e) {
      closeAll(opened);
      throw e;
    }
    running.set(sidecar);
    termination.started();
    banner(sidecar, source, listenerSources, out);
    try {
      String signal = termination.await();
      Duration deadline = config.limits().drainTimeout();
      sidecar.stopAccepting();
      out.println("trustmesh proxy: " + signal + ": listeners closed; draining " + sidecar.openConnections()
          + " open connection(s), at most " + Durations.format(deadline));
      out.flush();
      int left;
      try {
        left = sidecar.drain(deadline);
      } catch (InterruptedException e) {
        left = sidecar.openConnections(); // a second signal: stop now
      }
      if (left > 0) {
        err.println("trustmesh proxy: " + left + " connection(s) still open at the drain deadline; closing them");
        return Main.FAILED;
      }
      out.println("trustmesh proxy: all connections drained; stopped");
      return Main.OK;
    } finally {
      sidecar.close();
      closeAll(opened);
      out.flush();
      err.flush();
    }
  }

  /** The source {@code files} describe (null: none), added to {@code opened} so a failed start closes it. */
  private static X509Source open(Files files, Duration reloadInterval, AtomicReference<Sidecar> running,
      List<X509Source> opened) {
    X509Source source = null;
    if (files.workloadApi().isPresent()) {
      try {
        source = WorkloadApiX509Source.connect(files.workloadApi().get(), files.spiffeId(), WORKLOAD_API_TIMEOUT,
            msg -> report(running, msg));
      } catch (WorkloadApiException e) {
        throw new BadInputException("--workload-api: " + e.getMessage());
      }
    } else if (files.dir().isPresent()) {
      source = FileX509Source.watchDirectory(files.dir().get(), reloadInterval, msg -> report(running, msg));
    } else if (files.cert().isPresent()) {
      source = FileX509Source.watchFiles(files.cert().get(), files.key().orElseThrow(), files.bundle(), reloadInterval,
          msg -> report(running, msg));
    }
    if (source != null) {
      opened.add(source);
    }
    return source;
  }

  private static void closeAll(List<X509Source> sources) {
    for (X509Source s : sources) {
      s.close();
    }
  }

  private static void report(AtomicReference<Sidecar> running, String msg) {
    Sidecar s = running.get();
    if (s != null) {
      s.reportReloadFailure(msg);
    }
  }

  /** "  identity ID" for a listener presenting an identity of its own; empty for the process identity. */
  private static String ownIdentity(Map<String, X509Source> listenerSources, String listener) {
    X509Source own = listenerSources.get(listener);
    return own == null ? "" : "  identity " + own.svid().spiffeId();
  }

  private static void banner(Sidecar sidecar, X509Source source, Map<String, X509Source> listenerSources,
      PrintWriter out) {
    out.println("trustmesh proxy: TLS engine " + sidecar.engine().describe());
    if (source != null) {
      var svid = source.svid();
      out.println("  identity  " + svid.spiffeId() + "  serial " + svid.leaf().getSerialNumber().toString(16)
          + ", expires in " + Durations.format(Duration.between(java.time.Instant.now(),
              svid.leaf().getNotAfter().toInstant())));
    }
    for (InboundListener l : sidecar.config().inbound()) {
      var a = sidecar.address(l.name());
      out.println("  inbound   " + l.name() + "  " + a.getAddress().getHostAddress() + ":" + a.getPort() + " -> "
          + Addresses.describe(l.target()) + "  mode " + l.mode().label()
          + (l.mode() == InboundMode.DISABLE ? "" : "  allow " + l.allow().describe())
          + ownIdentity(listenerSources, l.name()));
    }
    for (OutboundListener l : sidecar.config().outbound()) {
      String listen = sidecar.socket(l.name()).map(p -> Addresses.UNIX + p + " (0600)")
          .orElseGet(() -> Addresses.describe(sidecar.address(l.name())));
      out.println("  outbound  " + l.name() + "  " + listen + " -> "
          + l.targetHost() + ":" + l.targetPort() + "  tls " + l.tls().label()
          + (l.tls() == OutboundTls.DISABLE ? "" : "  expect " + l.expectId().map(Object::toString)
              .or(() -> l.expectTrustDomain().map(t -> "trust domain " + t.name()))
              .or(() -> l.serverName().map(n -> "DNS name " + n)).orElse("?"))
          + ownIdentity(listenerSources, l.name()));
    }
    out.println("  reasons   handshake failures are logged and counted by the reason codes of 'trustmesh doctor',"
        + " documented in docs/debugging-handshakes.md");
    sidecar.adminAddress().ifPresent(a -> out.println("  admin     http://" + a.getAddress().getHostAddress() + ":"
        + a.getPort() + "/ (healthz, ready, metrics, certs)"));
    for (String note : sidecar.notes()) {
      out.println("  WARNING   " + note);
    }
    out.flush();
  }
}
