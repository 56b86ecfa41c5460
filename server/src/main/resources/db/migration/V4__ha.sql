-- trustmesh server schema, version 4: several servers on one PostgreSQL (HA, no leader).
-- Each server keeps its own signing CAs; the rows of the others are only published in the bundle
-- (the bundle is the union of every server's CAs). For that, a server must also publish the public
-- half of each CA's JWT-SVID key: base64 of its DER SubjectPublicKeyInfo. NULL for rows written by
-- version 3 (their JWT keys were published by the one server that held them).
ALTER TABLE signing_cas ADD COLUMN jwt_public_key TEXT;
