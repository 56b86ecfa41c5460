package io.trustmesh.proxy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import java.time.Clock;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The first bytes a PERMISSIVE port receives come from anyone who can connect. The sniffer
 * ({@link SniffStage}, with the same server TLS context a real inbound port builds) must
 * decide exactly once: a TLS handshake record goes to TLS and never to the plaintext relay,
 * anything else goes to plaintext and never through TLS; and no byte reaches the authorization
 * gate without a completed mutual handshake (which no fuzzed client can complete). Regression
 * inputs: {@code src/test/resources/io/trustmesh/proxy/PermissiveSnifferFuzzTestInputs/}.
 */
class PermissiveSnifferFuzzTest {
  static final SslContext SERVER = serverContext();

  @FuzzTest(maxDuration = "5m")
  void firstBytes(byte[] data) {
    int[] plaintext = {0};
    int[] tls = {0};
    int[] gateReads = {0};
    ChannelInboundHandlerAdapter gate = new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        gateReads[0]++;
        ReferenceCountUtil.release(msg);
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // a handshake failure: the real gate closes the connection
      }
    };
    ChannelInboundHandlerAdapter relaySink = new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // as above
      }
    };
    EmbeddedChannel ch = new EmbeddedChannel();
    try {
      ch.pipeline().addLast("sniff", new SniffStage(sniff -> {
        tls[0]++;
        sniff.pipeline().addAfter(sniff.name(), "tls", SERVER.newHandler(sniff.alloc()));
        sniff.pipeline().addAfter("tls", "authorize", gate);
      }, () -> plaintext[0]++));
      ch.pipeline().addLast("relay", relaySink);
      ch.writeInbound(Unpooled.wrappedBuffer(data));
      // (A failed handshake closes the channel, which empties the pipeline: count decisions instead.)
      if (data.length == 0) {
        check(tls[0] == 0 && plaintext[0] == 0 && ch.pipeline().get("sniff") != null,
            "decided before any byte arrived", data);
      } else if ((data[0] & 0xff) == 0x16) {
        check(tls[0] == 1 && plaintext[0] == 0, "did not send a TLS handshake record to TLS exactly once", data);
      } else {
        check(tls[0] == 0 && plaintext[0] == 1, "did not send non-TLS bytes to plaintext exactly once", data);
      }
      check(gateReads[0] == 0, "let bytes through to the gate without a completed handshake", data);
    } finally {
      try {
        ch.finishAndReleaseAll();
      } catch (RuntimeException handshakeFailure) {
        // recorded by the embedded channel; the real pipeline closes the connection
      }
    }
  }

  private static void check(boolean ok, String what, byte[] data) {
    if (!ok) {
      throw new AssertionError("PERMISSIVE sniffer " + what + " (" + data.length + " bytes, first "
          + (data.length == 0 ? "none" : String.format("0x%02x", data[0] & 0xff)) + ")");
    }
  }

  private static SslContext serverContext() {
    Pki pki = Pki.create("example.org");
    try {
      TlsContexts.Shared shared = new TlsContexts.Shared(TlsEngine.probe(), new HandshakeOutcomes(),
          VerificationCache.disabled(), 1, Clock.systemUTC());
      return TlsContexts.server(shared, pki.svid(pki.id("api")),
          X509BundleSet.of(new X509Bundle(pki.td, List.of(pki.root))),
          AllowPolicy.builder().trustDomain(pki.td).build()).context();
    } catch (SSLException e) {
      throw new IllegalStateException(e);
    }
  }
}
