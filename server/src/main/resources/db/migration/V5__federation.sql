-- trustmesh server schema, version 5: federation with foreign trust domains. Portable SQL (SQLite, PostgreSQL).
-- Foreign trust domains whose bundles workloads of an entry receive, newline-separated names.
ALTER TABLE registration_entries ADD COLUMN federates_with TEXT NOT NULL DEFAULT '';
-- One row per federation relationship. bundle_json is the last GOOD bundle (SPIFFE bundle format):
-- a failed or stale fetch only sets last_error, so a bad endpoint never replaces it.
CREATE TABLE federations (
  trust_domain        VARCHAR(255)  PRIMARY KEY,
  bundle_endpoint_url VARCHAR(2048) NOT NULL,
  profile             VARCHAR(32)   NOT NULL,
  endpoint_spiffe_id  VARCHAR(2048) NOT NULL,
  bundle_json         TEXT          NOT NULL,
  sequence            BIGINT        NOT NULL,
  refreshed_at        BIGINT        NOT NULL,
  last_error          TEXT          NOT NULL,
  created_at          BIGINT        NOT NULL
);
