-- @hookguard/postgres: the replay table, for teams that run their own migrations.
-- The same DDL as `await store.migrate()` (idempotent). For another table name, take
-- `store.schemaSql` of a store built with `{ table }` instead.
--
-- A row is in flight while `token` holds its owner's token, done once `token` is NULL; either way
-- it counts only until `expires_at` (the database clock decides). The index serves pruning.
CREATE TABLE IF NOT EXISTS "hookguard_replay" (
  key        text        PRIMARY KEY,
  token      text,
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS "hookguard_replay_expires_at" ON "hookguard_replay" (expires_at);
