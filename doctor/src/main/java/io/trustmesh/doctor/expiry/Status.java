package io.trustmesh.doctor.expiry;

/** A certificate's state, with the Nagios plugin exit code of each (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN). */
public enum Status {
  OK(0),
  WARNING(1),
  CRITICAL(2),
  EXPIRED(2),
  UNKNOWN(3);

  private final int nagiosCode;

  Status(int nagiosCode) {
    this.nagiosCode = nagiosCode;
  }

  public int nagiosCode() {
    return nagiosCode;
  }
}
