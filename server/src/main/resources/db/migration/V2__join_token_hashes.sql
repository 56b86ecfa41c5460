-- Join tokens are stored only as the SHA-256 of the token (lower-case hex): a copy of the datastore
-- no longer hands out node identities. Tokens stored in clear by version 1 cannot be hashed in
-- portable SQL, so they are dropped: create new ones with 'trustmesh token create' (they lived an
-- hour by default anyway).
DROP TABLE join_tokens;

CREATE TABLE join_tokens (
  token_sha256 CHAR(64)      PRIMARY KEY,
  spiffe_id    VARCHAR(2048) NOT NULL,
  expires_at   BIGINT        NOT NULL
);
CREATE INDEX join_tokens_expires ON join_tokens (expires_at);
