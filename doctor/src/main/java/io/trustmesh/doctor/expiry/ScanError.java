package io.trustmesh.doctor.expiry;

/** An input that could not be read: it may hide an expired certificate, so it is reported as UNKNOWN. */
public record ScanError(String where, String message) {}
