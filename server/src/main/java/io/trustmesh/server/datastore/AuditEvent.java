package io.trustmesh.server.datastore;

import java.time.Instant;

/**
 * One line of the audit log: an issuance or an administrative change.
 *
 * @param action e.g. {@code entry.create}, {@code token.create}, {@code node.attest}, {@code svid.issue}
 * @param actor who did it (an agent's SPIFFE ID, or {@code admin})
 * @param subject what it was about (an entry ID, a SPIFFE ID, a serial)
 */
public record AuditEvent(Instant at, String action, String actor, String subject, String detail) {}
