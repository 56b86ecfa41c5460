package io.trustmesh.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateHandler;
import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.svid.X509Svid;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * The admin endpoint: {@code /healthz} (the process serves), {@code /ready} (a valid identity and
 * bundle are loaded; 503 otherwise), {@code /metrics} (Prometheus text) and {@code /certs} (the
 * SVID in service and the bundle fingerprints, JSON).
 */
final class AdminServer {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AdminServer() {}

  static final class Initializer extends ChannelInitializer<SocketChannel> {
    private final Sidecar sidecar;
    private final AdminGate gate;

    Initializer(Sidecar sidecar, AdminGate gate) {
      this.sidecar = sidecar;
      this.gate = gate;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
      Channel listener = ch.parent();
      if (!gate.admit(listener)) {
        ch.close(); // over the admin cap or into the data path's fd reserve
        return;
      }
      ch.closeFuture().addListener(f -> gate.release(listener));
      AdminLimits limits = gate.limits();
      ch.pipeline().addLast(
          new IdleStateHandler(0, 0, limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS),
          new AdminGate.Deadlines(limits),
          new HttpServerCodec(), new HttpObjectAggregator(8192), new Handler(sidecar));
    }
  }

  static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Sidecar sidecar;

    Handler(Sidecar sidecar) {
      this.sidecar = sidecar;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) throws Exception {
      String path = req.uri().split("\\?", 2)[0];
      FullHttpResponse resp = switch (path) {
        case "/healthz" -> text(HttpResponseStatus.OK, "ok\n", "text/plain; charset=utf-8");
        case "/ready" -> ready();
        case "/metrics" -> text(HttpResponseStatus.OK, sidecar.metrics.scrape(),
            "text/plain; version=0.0.4; charset=utf-8");
        case "/certs" -> text(HttpResponseStatus.OK, JSON.writerWithDefaultPrettyPrinter()
            .writeValueAsString(certs(sidecar)) + "\n", "application/json");
        default -> text(HttpResponseStatus.NOT_FOUND, "not found; try /healthz, /ready, /metrics, /certs\n",
            "text/plain; charset=utf-8");
      };
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      HttpUtil.setKeepAlive(resp, keepAlive);
      var f = ctx.writeAndFlush(resp);
      if (!keepAlive) {
        f.addListener(ChannelFutureListener.CLOSE);
      }
    }

    private FullHttpResponse ready() throws Exception {
      String why = sidecar.notReadyReason();
      ObjectNode n = JSON.createObjectNode();
      n.put("ready", why == null);
      if (why != null) {
        n.put("reason", why);
      }
      n.put("tls_engine", sidecar.engine().describe());
      n.put("tls_engine_fallback", sidecar.engine().isFallback());
      sidecar.lastReloadFailure().ifPresent(r -> n.put("last_reload_failure", r));
      return text(why == null ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
          JSON.writeValueAsString(n) + "\n", "application/json");
    }
  }

  static ObjectNode certs(Sidecar sidecar) {
    ObjectNode n = JSON.createObjectNode();
    n.put("tls_engine", sidecar.engine().describe());
    sidecar.lastReload().ifPresent(t -> n.put("last_reload", t.toString()));
    sidecar.lastReloadFailure().ifPresent(r -> n.put("last_reload_failure", r));
    sidecar.source().ifPresent(src -> {
      X509Svid svid = src.svid();
      ObjectNode s = n.putObject("svid");
      s.put("spiffe_id", svid.spiffeId().toString());
      s.put("serial", svid.leaf().getSerialNumber().toString(16));
      s.put("not_before", svid.leaf().getNotBefore().toInstant().toString());
      s.put("not_after", svid.leaf().getNotAfter().toInstant().toString());
      s.put("sha256", fingerprint(svid.leaf()));
      ArrayNode chain = s.putArray("chain");
      svid.chain().forEach(c -> chain.add(c.getSubjectX500Principal().getName()));
      // the same chain with what a viewer of the hierarchy needs (issuer links, expiry); public data only
      ArrayNode details = s.putArray("chain_certificates");
      for (X509Certificate c : svid.chain()) {
        ObjectNode d = details.addObject();
        d.put("subject", c.getSubjectX500Principal().getName());
        d.put("issuer", c.getIssuerX500Principal().getName());
        d.put("serial", c.getSerialNumber().toString(16));
        d.put("not_before", c.getNotBefore().toInstant().toString());
        d.put("not_after", c.getNotAfter().toInstant().toString());
        d.put("ca", c.getBasicConstraints() >= 0);
        d.put("sha256", fingerprint(c));
      }
      ArrayNode bundles = n.putArray("bundles");
      for (X509Bundle b : src.bundles().bundles()) {
        ObjectNode bn = bundles.addObject();
        bn.put("trust_domain", b.trustDomain().name());
        ArrayNode auths = bn.putArray("authorities");
        for (X509Certificate c : b.authorities()) {
          ObjectNode a = auths.addObject();
          a.put("subject", c.getSubjectX500Principal().getName());
          a.put("issuer", c.getIssuerX500Principal().getName());
          a.put("sha256", fingerprint(c));
          a.put("not_after", c.getNotAfter().toInstant().toString());
        }
      }
    });
    return n;
  }

  static String fingerprint(X509Certificate c) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
    } catch (Exception e) {
      return "unavailable";
    }
  }

  private static FullHttpResponse text(HttpResponseStatus status, String body, String type) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
    return r;
  }
}
