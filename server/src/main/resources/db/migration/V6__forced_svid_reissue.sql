-- trustmesh server schema, version 6: forced re-issue of every X.509-SVID (trustmesh rotate --svids).
-- One row: every SVID whose notBefore (epoch milliseconds) is earlier than not_before must be
-- re-issued; agents learn it with their next sync, from whichever server they talk to. It only
-- ever moves forward (compare-and-set in UPDATE), so servers sharing a datastore agree.
CREATE TABLE svid_reissue (
  id         INTEGER PRIMARY KEY,
  not_before BIGINT  NOT NULL
);
INSERT INTO svid_reissue (id, not_before) VALUES (1, 0);
