package io.trustmesh.doctor.connect;

import io.trustmesh.doctor.Identity;
import io.trustmesh.doctor.connect.ProbeResult.Ending;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;

/**
 * One real TLS handshake as a client, driven by hand over a plain socket with JSSE's {@link
 * SSLEngine}, so that every byte the server sends passes through here: the first bytes (to tell
 * SSH, HTTP or garbage from TLS), the alert and whether it came before or after the handshake
 * completed, and the quiet that means acceptance. A fresh {@link SSLContext} per probe: no session
 * is resumed, so every probe sees the server's full decision.
 */
final class HandshakeProbe {
  /** JSSE names a received alert only in its exception message; this is the one place that reads it. */
  private static final Pattern RECEIVED_ALERT = Pattern.compile("Received fatal alert: (\\w+)");
  private static final int FIRST_BYTES = 16;
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  /** What to offer and how long to wait. */
  record Settings(
      List<String> protocols,
      List<String> cipherSuites,
      Optional<Identity> identity,
      Optional<String> serverName,
      Duration timeout,
      Optional<Duration> readAfterHandshake) {}

  private final InetSocketAddress address;
  private final String peerHost;
  private final Settings settings;

  private SSLEngine engine;
  private InputStream in;
  private OutputStream out;
  private ByteBuffer netIn;
  private ByteBuffer netOut;
  private ByteBuffer app;
  private final byte[] readBuffer = new byte[16 * 1024 + 512];
  private byte[] firstBytes = new byte[0];

  HandshakeProbe(InetSocketAddress address, String peerHost, Settings settings) {
    this.address = address;
    this.peerHost = peerHost;
    this.settings = settings;
  }

  ProbeResult run() {
    RecordingKeyManager km = new RecordingKeyManager(settings.identity());
    RecordingTrustManager tm = new RecordingTrustManager();
    try (Socket socket = new Socket()) {
      try {
        socket.connect(address, (int) settings.timeout().toMillis());
      } catch (IOException e) {
        return result(Ending.CONNECT_FAILED, false, false, km, tm, Optional.empty(), e.toString());
      }
      socket.setSoTimeout((int) settings.timeout().toMillis());
      in = socket.getInputStream();
      out = socket.getOutputStream();
      engine = newEngine(km, tm);
      SSLSession session = engine.getSession();
      netIn = ByteBuffer.allocate(session.getPacketBufferSize());
      netOut = ByteBuffer.allocate(session.getPacketBufferSize());
      app = ByteBuffer.allocate(session.getApplicationBufferSize());
      boolean done = false;
      try {
        handshake();
        done = true;
        if (settings.readAfterHandshake().isEmpty()) {
          return result(Ending.QUIET, true, false, km, tm, Optional.empty(), "handshake completed");
        }
        socket.setSoTimeout((int) settings.readAfterHandshake().get().toMillis());
        return readOnce(km, tm);
      } catch (SocketTimeoutException e) {
        if (done) {
          return result(Ending.QUIET, true, true, km, tm, Optional.empty(), "no alert within "
              + settings.readAfterHandshake().get().toMillis() + " ms after the handshake: the server kept the connection");
        }
        return result(Ending.TIMEOUT, false, false, km, tm, Optional.empty(),
            firstBytes.length == 0 ? "no answer within " + settings.timeout().toMillis() + " ms"
                : "the server stopped answering mid-handshake");
      } catch (EOFException e) {
        return notTlsOr(Ending.CLOSED, done, km, tm, "the server closed the connection");
      } catch (SocketException e) {
        return notTlsOr(Ending.RESET, done, km, tm, "the connection was reset (" + e.getMessage() + ")");
      } catch (SSLException e) {
        Optional<String> alert = receivedAlert(e);
        if (alert.isPresent()) {
          return result(Ending.ALERT, done, done, km, tm, alert, "the server sent the fatal alert " + alert.get());
        }
        flushAlert();
        return notTlsOr(Ending.LOCAL_ERROR, done, km, tm, String.valueOf(e.getMessage()));
      }
    } catch (IOException | GeneralSecurityException e) {
      return result(Ending.LOCAL_ERROR, false, false, km, tm, Optional.empty(), e.toString());
    }
  }

  private SSLEngine newEngine(RecordingKeyManager km, RecordingTrustManager tm) throws GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(new KeyManager[] {km}, new TrustManager[] {tm}, null);
    SSLEngine e = context.createSSLEngine(peerHost, address.getPort());
    e.setUseClientMode(true);
    List<String> supported = Arrays.asList(e.getSupportedCipherSuites());
    SSLParameters p = e.getSSLParameters();
    p.setProtocols(settings.protocols().toArray(new String[0]));
    p.setCipherSuites(settings.cipherSuites().stream().filter(supported::contains).toArray(String[]::new));
    settings.serverName().ifPresent(n -> p.setServerNames(List.of(new SNIHostName(n))));
    e.setSSLParameters(p);
    return e;
  }

  private void handshake() throws IOException {
    engine.beginHandshake();
    HandshakeStatus hs = engine.getHandshakeStatus();
    while (hs != HandshakeStatus.FINISHED && hs != HandshakeStatus.NOT_HANDSHAKING) {
      switch (hs) {
        case NEED_WRAP -> {
          netOut.clear();
          SSLEngineResult r = engine.wrap(EMPTY, netOut);
          flush();
          if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
            throw new EOFException("engine closed");
          }
          hs = r.getHandshakeStatus();
        }
        case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
          SSLEngineResult r = unwrap();
          if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
            throw new EOFException("closed");
          }
          hs = r.getHandshakeStatus();
        }
        case NEED_TASK -> {
          Runnable task;
          while ((task = engine.getDelegatedTask()) != null) {
            task.run();
          }
          hs = engine.getHandshakeStatus();
        }
        default -> throw new IllegalStateException("unexpected handshake status " + hs);
      }
    }
  }

  /**
   * After the handshake: read until the server says something. In TLS 1.3 the server checks our
   * certificate after we consider the handshake done, so its refusal arrives here; quiet until the
   * wait ends means it kept the connection open for us.
   */
  private ProbeResult readOnce(RecordingKeyManager km, RecordingTrustManager tm) throws IOException {
    while (true) {
      app.clear();
      SSLEngineResult r = unwrap();
      if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
        return result(Ending.CLOSED, true, true, km, tm, Optional.empty(),
            "the server closed the connection (close_notify) after the handshake");
      }
      if (r.bytesProduced() > 0) {
        return result(Ending.DATA, true, true, km, tm, Optional.empty(), "the server sent data after the handshake");
      }
      HandshakeStatus hs = r.getHandshakeStatus();
      if (hs == HandshakeStatus.NEED_TASK || hs == HandshakeStatus.NEED_WRAP) {
        handshake(); // a post-handshake message (session ticket, key update) may need an answer
      }
    }
  }

  private SSLEngineResult unwrap() throws IOException {
    while (true) {
      netIn.flip();
      SSLEngineResult r;
      try {
        r = engine.unwrap(netIn, app);
      } finally {
        netIn.compact();
      }
      switch (r.getStatus()) {
        case BUFFER_UNDERFLOW -> readMore();
        case BUFFER_OVERFLOW -> {
          ByteBuffer bigger = ByteBuffer.allocate(app.capacity() * 2);
          app.flip();
          bigger.put(app);
          app = bigger;
        }
        default -> {
          return r;
        }
      }
    }
  }

  private void readMore() throws IOException {
    int n = in.read(readBuffer, 0, Math.min(readBuffer.length, netIn.remaining()));
    if (n < 0) {
      throw new EOFException("end of stream");
    }
    if (firstBytes.length < FIRST_BYTES) {
      int take = Math.min(FIRST_BYTES - firstBytes.length, n);
      byte[] more = Arrays.copyOf(firstBytes, firstBytes.length + take);
      System.arraycopy(readBuffer, 0, more, firstBytes.length, take);
      firstBytes = more;
    }
    netIn.put(readBuffer, 0, n);
  }

  private void flush() throws IOException {
    netOut.flip();
    out.write(netOut.array(), netOut.position(), netOut.remaining());
    out.flush();
    netOut.clear();
  }

  /** After a local failure JSSE has an alert for the server; sending it is polite, not needed. */
  private void flushAlert() {
    try {
      netOut.clear();
      engine.wrap(EMPTY, netOut);
      flush();
    } catch (IOException | RuntimeException ignored) {
      // the diagnosis does not depend on it
    }
  }

  private ProbeResult notTlsOr(Ending ending, boolean done, RecordingKeyManager km, RecordingTrustManager tm, String detail) {
    if (firstBytes.length > 0 && !WireBytes.looksLikeTls(firstBytes)) {
      return result(Ending.NOT_TLS, false, false, km, tm, Optional.empty(),
          "the server answered with " + WireBytes.describe(firstBytes));
    }
    return result(ending, done, done, km, tm, Optional.empty(), detail);
  }

  private ProbeResult result(Ending ending, boolean done, boolean after, RecordingKeyManager km,
      RecordingTrustManager tm, Optional<String> alert, String detail) {
    String protocol = null;
    String suite = null;
    boolean sent = false;
    if (done && engine != null) {
      SSLSession s = engine.getSession();
      protocol = s.getProtocol();
      suite = s.getCipherSuite();
      sent = s.getLocalCertificates() != null && s.getLocalCertificates().length > 0;
    } else if (km.certificateRequested() && settings.identity().isPresent()) {
      sent = true;
    }
    if (suite == null) {
      suite = tm.negotiatedSuite().orElse(null); // the server chose it, then the handshake ended
    }
    List<X509Certificate> chain = tm.serverChain();
    return new ProbeResult(ending, done, after, protocol, suite, chain, km.certificateRequested(),
        km.acceptableIssuers(), sent, alert, firstBytes, detail);
  }

  static Optional<String> receivedAlert(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      Matcher m = RECEIVED_ALERT.matcher(String.valueOf(t.getMessage()));
      if (m.find()) {
        return Optional.of(m.group(1));
      }
    }
    return Optional.empty();
  }
}
