package io.trustmesh.core;

/**
 * Input that a user handed us is wrong: a malformed SPIFFE ID, a truncated PEM file, a duration we
 * cannot read. The message is one line that names the offending value; the command line turns it
 * into exit code 2 without a stack trace.
 *
 * <p>Each concern has its own subclass so callers can catch precisely, but every one of them means
 * "fix your input and try again".
 */
public class BadInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BadInputException(String message) {
    super(message);
  }

  public BadInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
