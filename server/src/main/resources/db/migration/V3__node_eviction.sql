-- trustmesh server schema, version 3: agent SVID pinning and eviction. Portable SQL (SQLite, PostgreSQL).
-- An attested node is authenticated by the serial of its current agent SVID (attested_nodes.serial).
-- A renewal records the new SVID as pending (new_serial); the first call made with it promotes it
-- and from then on the old SVID is refused (as SPIRE does), so a lost renewal response never locks
-- an agent out and a superseded or copied SVID stops working once the agent moves on.
ALTER TABLE attested_nodes ADD COLUMN new_serial VARCHAR(64);
ALTER TABLE attested_nodes ADD COLUMN new_expires_at BIGINT;
-- 1 after 'trustmesh agent evict': every SVID of the node is refused until it attests again with a
-- new join token (which replaces the row).
ALTER TABLE attested_nodes ADD COLUMN banned SMALLINT NOT NULL DEFAULT 0;
