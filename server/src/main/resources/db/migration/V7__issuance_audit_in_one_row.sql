-- trustmesh server schema, version 7: an issuance is one row. Until version 6 every X.509-SVID
-- wrote its issued_certificates row and an audit_log line 'svid.issue' saying the same thing
-- (actor = requested_by, subject = spiffe_id, at = issued_at, 'serial S expires T'), in the same
-- transaction. From now on the audit trail reads issuance lines from issued_certificates itself, so
-- the issuance path writes one row per SVID (two inserts per SVID were half of its datastore cost).
--
-- The index serves the audit trail's "newest first" and the forced re-issue's "issued since".
-- Issuance times only grow, so it is appended to at its right edge: cheap to maintain.
CREATE INDEX issued_certificates_issued_at ON issued_certificates (issued_at);

-- The old svid.issue lines are now duplicates of their issued_certificates rows: remove exactly
-- those that have one (same time, actor, subject and serial), and keep any other line.
DELETE FROM audit_log
WHERE action = 'svid.issue'
  AND EXISTS (
    SELECT 1 FROM issued_certificates i
    WHERE i.issued_at = audit_log.at_millis
      AND i.spiffe_id = audit_log.subject
      AND i.requested_by = audit_log.actor
      AND substr(audit_log.detail, 1, length(i.serial) + 16) = 'serial ' || i.serial || ' expires ');
