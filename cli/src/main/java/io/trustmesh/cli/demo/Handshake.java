package io.trustmesh.cli.demo;

import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.tls.SpiffeTrustManager;
import io.trustmesh.core.tls.TlsDefaults;
import io.trustmesh.core.verify.Usage;
import io.trustmesh.core.verify.Verification;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * One mutual TLS exchange between two local endpoints, each presenting its SVID and verifying the
 * other's by SPIFFE ID with trustmesh's verifier. Used by {@code trustmesh demo}.
 */
public final class Handshake {
  /** What both sides saw. */
  public record Result(
      String address,
      String protocol,
      String cipherSuite,
      List<X509Certificate> clientVerifiedServerPath,
      List<X509Certificate> serverVerifiedClientPath,
      String request,
      String response) {}

  private Handshake() {}

  public static Result run(X509Svid client, X509Svid server, List<X509Certificate> roots, String request,
      String response, Clock clock) throws IOException, GeneralSecurityException, InterruptedException {
    X509BundleSet bundles = X509BundleSet.of(new X509Bundle(client.spiffeId().trustDomain(), roots));
    SpiffeTrustManager serverTrust = new SpiffeTrustManager(() -> bundles,
        SpiffeTrustManager.Authorizer.exactly(client.spiffeId()), clock);
    SpiffeTrustManager clientTrust = new SpiffeTrustManager(() -> bundles,
        SpiffeTrustManager.Authorizer.exactly(server.spiffeId()), clock);
    SSLContext serverCtx = context(server, serverTrust);
    SSLContext clientCtx = context(client, clientTrust);

    ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "demo-server");
      t.setDaemon(true);
      return t;
    });
    try (SSLServerSocket listener = (SSLServerSocket) serverCtx.getServerSocketFactory()
        .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      listener.setSSLParameters(parameters(listener.getSSLParameters(), true));
      listener.setSoTimeout(10_000);
      Future<List<X509Certificate>> served = pool.submit(() -> {
        try (SSLSocket s = (SSLSocket) listener.accept()) {
          s.setSoTimeout(10_000);
          BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
          String line = in.readLine();
          PrintWriter w = new PrintWriter(new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8), true);
          List<X509Certificate> path = verifiedPath(serverTrust, s.getSession().getPeerCertificates(), Usage.CLIENT);
          w.println(request.equals(line) ? response : "unexpected: " + line);
          return path;
        }
      });
      InetSocketAddress addr = new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
      String answer;
      String protocol;
      String suite;
      List<X509Certificate> serverPath;
      try (SSLSocket s = (SSLSocket) clientCtx.getSocketFactory().createSocket(addr.getAddress(), addr.getPort())) {
        s.setSSLParameters(parameters(s.getSSLParameters(), false));
        s.setSoTimeout(10_000);
        s.startHandshake();
        PrintWriter w = new PrintWriter(new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8), true);
        w.println(request);
        answer = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
        protocol = s.getSession().getProtocol();
        suite = s.getSession().getCipherSuite();
        serverPath = verifiedPath(clientTrust, s.getSession().getPeerCertificates(), Usage.SERVER);
      }
      List<X509Certificate> clientPath;
      try {
        clientPath = served.get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        throw new IOException("the demo server failed: " + e, e);
      }
      return new Result(addr.getAddress().getHostAddress() + ":" + addr.getPort(), protocol, suite, serverPath,
          clientPath, request, answer);
    } finally {
      pool.shutdownNow();
    }
  }

  private static List<X509Certificate> verifiedPath(SpiffeTrustManager tm, Certificate[] peer, Usage usage) {
    X509Certificate[] chain = Arrays.stream(peer).map(c -> (X509Certificate) c).toArray(X509Certificate[]::new);
    Verification v = tm.verify(chain, usage);
    if (!v.isValid()) {
      throw new IllegalStateException("peer chain no longer verifies: " + v.reason());
    }
    return v.path();
  }

  private static SSLContext context(X509Svid svid, SpiffeTrustManager trust) throws GeneralSecurityException {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(TlsDefaults.keyManagers(svid), new TrustManager[] {trust}, null);
    return ctx;
  }

  private static SSLParameters parameters(SSLParameters p, boolean server) {
    p.setProtocols(TlsDefaults.PROTOCOLS.toArray(new String[0]));
    List<String> supported = Arrays.asList(p.getCipherSuites());
    p.setCipherSuites(TlsDefaults.CIPHER_SUITES.stream().filter(supported::contains).toArray(String[]::new));
    if (server) {
      p.setNeedClientAuth(true);
    }
    return p;
  }
}
