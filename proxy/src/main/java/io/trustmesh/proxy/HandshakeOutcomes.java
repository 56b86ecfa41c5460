package io.trustmesh.proxy;

import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;

/**
 * Carries our verifier's verdict from the TLS library's certificate callback, where it is made, to
 * the connection's {@link AuthorizeStage}, where it is acted on. The library calls the trust
 * manager with nothing but the engine; {@link SslHandlers} opens a slot for every engine it makes
 * and the slot goes to the authorize stage, so the refusal reason is our verifier's own and never
 * recovered from the library's error text.
 */
final class HandshakeOutcomes {
  /** One handshake's verdict; empty when no certificate callback ran (a resumed session). */
  static final class Slot {
    private volatile PeerVerdict verdict;

    PeerVerdict verdict() {
      return verdict;
    }
  }

  private final ConcurrentHashMap<SSLEngine, Slot> open = new ConcurrentHashMap<>();

  Slot open(SSLEngine engine) {
    Slot s = new Slot();
    open.put(engine, s);
    return s;
  }

  void close(SSLEngine engine) {
    open.remove(engine);
  }

  void record(SSLEngine engine, PeerVerdict verdict) {
    Slot s = engine == null ? null : open.get(engine);
    if (s != null) {
      s.verdict = verdict;
    }
  }

  /** Engines whose connection has not closed yet (for tests: nothing may leak). */
  int size() {
    return open.size();
  }
}
