package io.trustmesh.server.datastore;

/** The datastore failed (unreachable, constraint violated, corrupt). */
public final class DataStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DataStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
