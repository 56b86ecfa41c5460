package io.trustmesh.api.grpc;

import io.trustmesh.core.svid.X509Svid;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A key manager that presents whatever SVID its supplier holds at handshake time, so a rotation
 * takes effect on the next handshake without rebuilding the TLS context.
 */
public final class SvidKeyManager extends X509ExtendedKeyManager {
  private static final String ALIAS = "svid";
  private final Supplier<Optional<X509Svid>> svid;

  public SvidKeyManager(Supplier<Optional<X509Svid>> svid) {
    this.svid = svid;
  }

  private String alias() {
    return svid.get().isPresent() ? ALIAS : null;
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return svid.get().isPresent() ? new String[] {ALIAS} : null;
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return alias();
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return getClientAliases(keyType, issuers);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return alias();
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    return alias();
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return alias();
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return svid.get().map(s -> s.chain().toArray(new X509Certificate[0])).orElse(null);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return svid.get().map(X509Svid::privateKey).orElse(null);
  }
}
