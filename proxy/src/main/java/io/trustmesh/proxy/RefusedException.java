package io.trustmesh.proxy;

import java.security.cert.CertificateException;

/** A peer refused by one of the proxy's own trust checks (DNS-name profile), with the reason. */
final class RefusedException extends CertificateException {
  private static final long serialVersionUID = 1L;
  private final String code;

  RefusedException(String reason, String code) {
    super(reason);
    this.code = code;
  }

  String code() {
    return code;
  }
}
