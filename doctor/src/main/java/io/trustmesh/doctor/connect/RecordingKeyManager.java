package io.trustmesh.doctor.connect;

import io.trustmesh.doctor.Identity;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents the client identity, if there is one, and records what the server asked for: whether
 * it sent a CertificateRequest, and which certificate authorities it named in it.
 */
final class RecordingKeyManager extends X509ExtendedKeyManager {
  private static final String ALIAS = "doctor";

  private final Optional<Identity> identity;
  private volatile boolean asked;
  private volatile List<String> issuers = List.of();

  RecordingKeyManager(Optional<Identity> identity) {
    this.identity = identity;
  }

  boolean certificateRequested() {
    return asked;
  }

  /** The distinguished names the server said it accepts client certificates from (may be empty). */
  List<String> acceptableIssuers() {
    return issuers;
  }

  private String choose(String[] keyTypes, Principal[] named) {
    asked = true;
    if (named != null && named.length > 0) {
      List<String> names = new ArrayList<>();
      for (Principal p : named) {
        names.add(p.getName());
      }
      issuers = List.copyOf(names);
    }
    if (identity.isEmpty()) {
      return null;
    }
    // JSSE asks once per key type it would accept; answer only for our key's own algorithm.
    String ours = identity.get().key().getAlgorithm();
    return keyTypes == null || Arrays.asList(keyTypes).contains(ours) ? ALIAS : null;
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    return choose(keyType, issuers);
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return choose(keyType, issuers);
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return identity.isPresent() ? new String[] {ALIAS} : null;
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return null;
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return identity.map(i -> i.chain().toArray(new X509Certificate[0])).orElse(null);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return identity.map(Identity::key).orElse(null);
  }
}
