package io.trustmesh.doctor.expiry;

import java.security.cert.X509Certificate;

/** A certificate and where it was found. */
public record FoundCertificate(Source source, X509Certificate certificate) {}
