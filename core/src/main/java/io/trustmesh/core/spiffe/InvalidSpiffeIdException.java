package io.trustmesh.core.spiffe;

import io.trustmesh.core.BadInputException;

/** A string is not a SPIFFE ID or trust domain name; the message names the rule it broke. */
public final class InvalidSpiffeIdException extends BadInputException {
  private static final long serialVersionUID = 1L;

  InvalidSpiffeIdException(String message) {
    super(message);
  }
}
