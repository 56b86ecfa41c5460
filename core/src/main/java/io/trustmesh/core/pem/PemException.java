package io.trustmesh.core.pem;

import io.trustmesh.core.BadInputException;

/** A file does not hold what it should (malformed PEM, wrong passphrase, key not matching). */
public final class PemException extends BadInputException {
  private static final long serialVersionUID = 1L;

  public PemException(String message) {
    super(message);
  }

  public PemException(String message, Throwable cause) {
    super(message, cause);
  }
}
