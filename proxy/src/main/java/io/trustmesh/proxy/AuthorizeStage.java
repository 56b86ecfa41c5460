package io.trustmesh.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.trustmesh.core.diagnosis.Cause;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The stage after TLS: acts on our verifier's verdict on the peer and only then lets the connection
 * go on to the relay.
 *
 * <ul>
 *   <li>A full handshake: the verdict was made in the TLS library's certificate callback and left
 *       in this handshake's {@link HandshakeOutcomes.Slot}; a refusal is reported with the
 *       verifier's reason (the peer already got the alert that says why).
 *   <li>A resumed session: no certificate callback ran, so the peer's chain as the session
 *       remembers it is checked again now, by the listener's current {@link PeerCheck} (current
 *       bundle, allow policy and clock). A session never admits what a full handshake would refuse.
 *   <li>A failed handshake without a verdict of ours (no certificate, no shared cipher, an alert
 *       from the peer): the library's report is all there is ({@link Reasons}).
 * </ul>
 */
final class AuthorizeStage extends ChannelInboundHandlerAdapter {
  private final ConnectionContext context;
  private final Connection conn;
  private final HandshakeOutcomes.Slot outcome;
  private final Supplier<PeerCheck> currentCheck;
  private final boolean server;
  private final boolean mutual;
  private final boolean resumable;
  private final Runnable onAdmitted;
  private final Runnable onRefused;

  /**
   * @param server true inbound (we are the TLS server and the peer is a client)
   * @param mutual whether our side presents a certificate too (for the access log)
   * @param currentCheck the listener's check as of now, for resumed sessions
   * @param resumable whether the session may be kept for resumption (else it is forgotten at once)
   */
  AuthorizeStage(ConnectionContext context, Connection conn, HandshakeOutcomes.Slot outcome,
      Supplier<PeerCheck> currentCheck, boolean server, boolean mutual, boolean resumable, Runnable onAdmitted,
      Runnable onRefused) {
    this.context = context;
    this.conn = conn;
    this.outcome = outcome;
    this.currentCheck = currentCheck;
    this.server = server;
    this.mutual = mutual;
    this.resumable = resumable;
    this.onAdmitted = onAdmitted;
    this.onRefused = onRefused;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent e) {
      if (e.isSuccess()) {
        admitOrRefuse(ctx);
      } else {
        failed(ctx, e.cause());
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  private void admitOrRefuse(ChannelHandlerContext ctx) {
    SslHandler tls = ctx.pipeline().get(SslHandler.class);
    if (!resumable) {
      TlsContexts.forgetSession(tls);
    }
    SSLSession session = tls.engine().getSession();
    PeerVerdict v = outcome.verdict();
    boolean resumed = v == null;
    if (resumed) {
      v = currentCheck.get().check(peerChain(session));
    }
    if (!v.isAdmitted()) {
      conn.resumed = resumed;
      if (resumed) {
        // never offer this session again (a client that cached it still holds it; we re-check it every time)
        session.invalidate();
      }
      // refused after a resumed handshake: no alert was sent, so the peer sees the connection close
      refuse(ctx, v.refusal());
      return;
    }
    conn.tlsEstablished(session, v, mutual, resumed);
    ctx.pipeline().remove(this);
    onAdmitted.run();
  }

  private static X509Certificate[] peerChain(SSLSession session) {
    try {
      Certificate[] certs = session.getPeerCertificates();
      X509Certificate[] chain = new X509Certificate[certs.length];
      for (int i = 0; i < certs.length; i++) {
        chain[i] = (X509Certificate) certs[i];
      }
      return chain;
    } catch (SSLPeerUnverifiedException e) {
      return new X509Certificate[0];
    }
  }

  private void failed(ChannelHandlerContext ctx, Throwable cause) {
    PeerVerdict v = outcome.verdict();
    if (v != null && !v.isAdmitted()) {
      refuse(ctx, v.refusal());
      return;
    }
    refuse(ctx, Reasons.of(cause, server));
  }

  private void refuse(ChannelHandlerContext ctx, Reasons.Verdict r) {
    if (!conn.established && conn.result == null) {
      conn.fail(r.result(), r.cause(), r.detail());
      if (server) {
        // the client attempted TLS unless what it sent was not a TLS record at all
        conn.tls = r.cause() != Cause.NOT_TLS && r.cause() != Cause.PLAINTEXT_HTTP && r.cause() != Cause.PLAINTEXT_SSH;
        conn.mutual = conn.tls;
      }
      if (r.peerId() != null) {
        conn.peerId = r.peerId();
      }
      context.refused(conn);
    }
    ctx.close();
    onRefused.run();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    failed(ctx, cause);
  }
}
