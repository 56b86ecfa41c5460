package io.trustmesh.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.function.Consumer;

/**
 * PERMISSIVE only, between guard and TLS: looks at the first byte. A TLS handshake record (0x16)
 * goes on to the TLS and authorize stages, which {@code toTls} adds after this one; anything else
 * is plaintext and is relayed as it is. Either way the stage then removes itself, passing on the
 * bytes it held.
 */
final class SniffStage extends ByteToMessageDecoder {
  private final Consumer<ChannelHandlerContext> toTls;
  private final Runnable toPlaintext;

  SniffStage(Consumer<ChannelHandlerContext> toTls, Runnable toPlaintext) {
    this.toTls = toTls;
    this.toPlaintext = toPlaintext;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (!in.isReadable()) {
      return;
    }
    if (in.getUnsignedByte(in.readerIndex()) == 0x16) {
      toTls.accept(ctx);
    } else {
      toPlaintext.run();
    }
    ctx.pipeline().remove(this);
  }
}
