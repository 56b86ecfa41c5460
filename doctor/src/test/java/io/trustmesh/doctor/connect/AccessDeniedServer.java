package io.trustmesh.doctor.connect;

import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.tls.SpiffeTrustManager;
import io.trustmesh.core.tls.SpiffeTrustManager.Authorizer;
import io.trustmesh.core.tls.TlsDefaults;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.SocketException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * A small JDK TLS 1.3 server that authenticates clients with core's {@link SpiffeTrustManager},
 * then authorizes their SPIFFE ID against an allow list and refuses the others with the
 * {@code access_denied} alert, after the handshake, as a policy-enforcing server does. JSSE has no
 * public way to send that alert, so this test fixture reaches its internal {@code fatal(Alert,
 * String)} (the module's surefire opens {@code sun.security.ssl} for it); the alert on the wire is
 * JSSE's own.
 */
final class AccessDeniedServer implements AutoCloseable {
  private final SSLServerSocket server;
  private final Thread thread;
  private final Set<SpiffeId> allowed;

  AccessDeniedServer(X509Svid svid, List<X509Certificate> roots, Set<SpiffeId> allowed) throws IOException, GeneralSecurityException {
    this.allowed = allowed;
    SSLContext ctx = SSLContext.getInstance("TLS");
    SpiffeTrustManager tm = new SpiffeTrustManager(() -> X509BundleSet.of(new X509Bundle(svid.spiffeId().trustDomain(), roots)),
        Authorizer.allowAny(), Clock.systemUTC());
    ctx.init(TlsDefaults.keyManagers(svid), new TrustManager[] {tm}, null);
    server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    server.setEnabledProtocols(new String[] {"TLSv1.3"});
    server.setNeedClientAuth(true);
    thread = new Thread(this::serve, "access-denied-server");
    thread.setDaemon(true);
    thread.start();
  }

  String target() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  private void serve() {
    while (!server.isClosed()) {
      try (SSLSocket s = (SSLSocket) server.accept()) {
        try {
          s.startHandshake();
          X509Certificate peer = (X509Certificate) s.getSession().getPeerCertificates()[0];
          SpiffeId id = SpiffeId.parse(peer.getSubjectAlternativeNames().iterator().next().get(1).toString());
          if (!allowed.contains(id)) {
            deny(s);
          }
        } catch (IOException | RuntimeException | java.security.cert.CertificateParsingException e) {
          // a refused handshake: JSSE has sent its alert already
        }
      } catch (SocketException closed) {
        return;
      } catch (IOException e) {
        // next connection
      }
    }
  }

  private static void deny(SSLSocket s) {
    try {
      Field f = s.getClass().getDeclaredField("conContext");
      f.setAccessible(true);
      Object context = f.get(s);
      Class<?> alert = Class.forName("sun.security.ssl.Alert");
      Field constant = alert.getDeclaredField("ACCESS_DENIED");
      constant.setAccessible(true);
      Object accessDenied = constant.get(null);
      Method fatal = context.getClass().getDeclaredMethod("fatal", alert, String.class);
      fatal.setAccessible(true);
      fatal.invoke(context, accessDenied, "not in the allow list");
    } catch (InvocationTargetException expected) {
      // fatal() sends the alert, closes and throws
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot make JSSE send access_denied: " + e, e);
    }
  }

  @Override
  public void close() throws Exception {
    server.close();
    thread.join(5000);
  }
}
