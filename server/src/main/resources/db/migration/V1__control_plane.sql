-- trustmesh server schema, version 1. Portable SQL: runs on SQLite and PostgreSQL.
CREATE TABLE registration_entries (
  id          VARCHAR(64)   PRIMARY KEY,
  spiffe_id   VARCHAR(2048) NOT NULL,
  parent_id   VARCHAR(2048) NOT NULL,
  selectors   TEXT          NOT NULL,
  ttl_seconds BIGINT        NOT NULL,
  dns_names   TEXT          NOT NULL,
  hint        VARCHAR(255)  NOT NULL,
  created_at  BIGINT        NOT NULL
);
CREATE INDEX registration_entries_parent ON registration_entries (parent_id);

CREATE TABLE join_tokens (
  token       VARCHAR(128)  PRIMARY KEY,
  spiffe_id   VARCHAR(2048) NOT NULL,
  expires_at  BIGINT        NOT NULL
);

CREATE TABLE attested_nodes (
  spiffe_id        VARCHAR(2048) PRIMARY KEY,
  attestation_type VARCHAR(64)   NOT NULL,
  serial           VARCHAR(64)   NOT NULL,
  expires_at       BIGINT        NOT NULL,
  attested_at      BIGINT        NOT NULL
);

CREATE TABLE issued_certificates (
  serial       VARCHAR(64)   PRIMARY KEY,
  spiffe_id    VARCHAR(2048) NOT NULL,
  not_after    BIGINT        NOT NULL,
  issued_at    BIGINT        NOT NULL,
  requested_by VARCHAR(2048) NOT NULL
);

CREATE TABLE signing_cas (
  id           VARCHAR(64) PRIMARY KEY,
  chain_pem    TEXT        NOT NULL,
  key_id       VARCHAR(128) NOT NULL,
  not_after    BIGINT      NOT NULL,
  created_at   BIGINT      NOT NULL,
  activated_at BIGINT
);

CREATE TABLE audit_log (
  at_millis BIGINT        NOT NULL,
  action    VARCHAR(64)   NOT NULL,
  actor     VARCHAR(2048) NOT NULL,
  subject   VARCHAR(2048) NOT NULL,
  detail    TEXT          NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at_millis);
