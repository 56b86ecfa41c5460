package io.trustmesh.core.verify;

import io.trustmesh.core.BadInputException;
import org.bouncycastle.asn1.x509.KeyPurposeId;

/** The role of the peer whose certificate is verified, which decides the EKU it must carry. */
public enum Usage {
  /** The peer is a TLS server: its leaf needs {@code serverAuth}. */
  SERVER(KeyPurposeId.id_kp_serverAuth.getId(), "serverAuth"),
  /** The peer is a TLS client: its leaf needs {@code clientAuth}. */
  CLIENT(KeyPurposeId.id_kp_clientAuth.getId(), "clientAuth");

  private final String oid;
  private final String ekuName;

  Usage(String oid, String ekuName) {
    this.oid = oid;
    this.ekuName = ekuName;
  }

  public static Usage parse(String raw) {
    for (Usage u : values()) {
      if (u.name().equalsIgnoreCase(raw)) {
        return u;
      }
    }
    throw new BadInputException("unknown usage '" + raw + "' (expected server or client)");
  }

  public String oid() {
    return oid;
  }

  public String ekuName() {
    return ekuName;
  }
}
