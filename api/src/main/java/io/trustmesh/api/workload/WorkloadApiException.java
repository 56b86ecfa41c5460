package io.trustmesh.api.workload;

/** The Workload API could not deliver what was asked (agent unreachable, nothing granted, timeout). */
public final class WorkloadApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public WorkloadApiException(String message) {
    super(message);
  }
}
