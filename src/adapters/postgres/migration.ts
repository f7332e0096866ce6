import { createHash } from 'node:crypto'
import type { Pool, PoolClient } from 'pg'
import { ConfigError, issue } from '../../errors.ts'
import { inTransaction } from './pg-client.ts'

/**
 * The tables hotconf owns, one SQL text per version, applied in order and recorded in `<schema>.migrations`, so a
 * DBA can review them (docs/postgres.md prints them) and a later release can add a version without touching the
 * ones applied. `{schema}` is replaced by the quoted schema name. @internal
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE {schema}.services (
  service     text PRIMARY KEY,
  version     bigint NOT NULL DEFAULT 0,     -- +1 per save of the overrides: the row version of the newest row
  revision    integer NOT NULL DEFAULT 0,    -- the writing store's revision, for history
  updated_at  timestamptz,
  environment text
);
-- One row per overridden leaf per service. json, not jsonb: the text is kept as written, so comparing it tells
-- whether a value changed without a rewrite (and a row version bump) for a mere reordering.
CREATE TABLE {schema}.overrides (
  service text NOT NULL,
  path    text NOT NULL,
  value   json NOT NULL,
  version bigint NOT NULL,                   -- services.version of the save that wrote it
  PRIMARY KEY (service, path)
);
-- The fleet-wide layer, written by operators: INSERT INTO hotconf.layer VALUES ('orders', 'pool.max', '20').
CREATE TABLE {schema}.layer (
  service text NOT NULL,
  path    text NOT NULL,
  value   json NOT NULL,
  PRIMARY KEY (service, path)
);
-- Every save of the overrides: what it set and removed.
CREATE TABLE {schema}.history (
  service     text NOT NULL,
  version     bigint NOT NULL,
  changed     json NOT NULL,
  removed     text[] NOT NULL,
  environment text,
  at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (service, version)
);
-- One NOTIFY per transaction and service (identical notifications of a transaction are folded into one), on a
-- channel named after the schema and service, carrying the transaction id so a writer can skip its own echo.
CREATE FUNCTION {schema}.notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  svc text;
BEGIN
  IF TG_OP = 'DELETE' THEN svc := OLD.service; ELSE svc := NEW.service; END IF;
  PERFORM pg_notify('hotconf_' || left(md5(TG_TABLE_SCHEMA || '/' || svc), 32), txid_current()::text);
  RETURN NULL;
END $$;
CREATE TRIGGER notify_change AFTER INSERT OR UPDATE OR DELETE ON {schema}.overrides
  FOR EACH ROW EXECUTE FUNCTION {schema}.notify_change();
CREATE TRIGGER notify_change AFTER INSERT OR UPDATE OR DELETE ON {schema}.layer
  FOR EACH ROW EXECUTE FUNCTION {schema}.notify_change();`,
  `-- Each running instance's status, for store.fleet(): upserted after every transaction and on every heartbeat. A row
-- whose heartbeat is older than its TTL is stale: left out of the view, deleted by the next instance that publishes.
-- No trigger: a heartbeat is not a change of the config.
CREATE TABLE {schema}.instances (
  service      text NOT NULL,
  id           text NOT NULL,
  status       json NOT NULL,
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  ttl_ms       integer NOT NULL,
  PRIMARY KEY (service, id)
);`,
  `-- The deadlines of expiring overrides and the changes on probation ({ "expiries": ..., "probation": ... }), written
-- with the leaves they concern; NULL when nothing expires and nothing is on probation.
ALTER TABLE {schema}.services ADD COLUMN meta json;`,
]

/** The quoted schema name; throws `BAD_OPTIONS` for a name that is not a plain lowercase identifier. @internal */
export function schemaName(schema: string, owner: string): string {
  if (typeof schema !== 'string' || !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new ConfigError(
      issue('BAD_OPTIONS', 'schema', `${owner} needs a lowercase SQL identifier as schema, e.g. 'hotconf'`),
    )
  }
  return `"${schema}"`
}

/** The LISTEN channel of a service, as the trigger names it (identifiers are limited to 63 bytes). @internal */
export function channelOf(schema: string, service: string): string {
  return `hotconf_${createHash('md5').update(`${schema}/${service}`).digest('hex')}`
}

/**
 * Brings the schema to the newest version, once per pool and schema. Instances starting together take turns on an
 * advisory lock, so each version is applied exactly once. @internal
 */
export function migrate(pool: Pool, schema: string): Promise<void> {
  let done = migrated.get(pool)?.get(schema)
  if (done === undefined) {
    done = inTransaction(pool, (client) => applyMigrations(client, schema))
    const forPool = migrated.get(pool) ?? new Map<string, Promise<void>>()
    forPool.set(schema, done)
    migrated.set(pool, forPool)
    // A failed attempt (the database was down) is tried again by the next caller.
    done.catch(() => forPool.delete(schema))
  }
  return done
}

// --- internal ---

const migrated = new WeakMap<Pool, Map<string, Promise<void>>>()

async function applyMigrations(client: PoolClient, schema: string): Promise<void> {
  const quoted = `"${schema}"`
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`hotconf:migrate:${schema}`])
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`)
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${quoted}.migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
  )
  const { rows } = await client.query<{ version: number | null }>(
    `SELECT max(version) AS version FROM ${quoted}.migrations`,
  )
  for (let version = (rows[0]?.version ?? 0) + 1; version <= MIGRATIONS.length; version++) {
    await client.query(MIGRATIONS[version - 1]!.replaceAll('{schema}', quoted))
    await client.query(`INSERT INTO ${quoted}.migrations (version) VALUES ($1)`, [version])
  }
}
