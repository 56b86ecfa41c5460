package io.trustmesh.core.ca;

import io.trustmesh.core.BadInputException;

/** A request the CA refuses by policy: a foreign trust domain, a TTL too long, a weak CSR key. */
public final class IssuancePolicyException extends BadInputException {
  private static final long serialVersionUID = 1L;

  IssuancePolicyException(String message) {
    super(message);
  }
}
