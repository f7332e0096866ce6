import type { PoolClient } from 'pg'
import { holds, type Isolation, messageOf, type Scope, scopesOf } from '../../adapter-kit.ts'
import { ConfigError, issue } from '../../errors.ts'
import type { BackendContext, ConfigIssue, OverridesBackend, PersistedOverrides } from '../../types.ts'
import { takingTurns, unreadOverrides } from '../cluster-parts.ts'
import { buildLayer, leafChanges, sameLeaves } from '../leaf-layer.ts'
import { metaOf, readMeta } from '../overrides-meta.ts'
import { migrate } from './migration.ts'
import { inTransaction, type PoolRef } from './pg-client.ts'

/** Where one service's overrides live, and how a save decides what conflicts. @internal */
export interface PgOverridesPlan {
  /** The schema name (unquoted; validated by `schemaName`). */
  readonly schema: string
  readonly service: string
  readonly isolation: Isolation
  readonly required: boolean
}

/**
 * Runtime overrides shared through PostgreSQL: one row per overridden leaf in `<schema>.overrides`, each with the
 * row version of the save that wrote it. `save` is one SQL transaction: it locks the service's row (saves of one
 * service take turns), reads the rows of the written scope (`isolation`) and compares them with what this instance
 * read or wrote last; when another writer changed, created or deleted one there, nothing is written and it throws a
 * `ConfigError` `STALE_REVISION` naming it. Otherwise it writes the changed leaves, deletes the reset ones, bumps
 * the service's version, appends to `<schema>.history`, and the trigger NOTIFYs the other instances at commit.
 * `onSaved` hears the transaction id of each save, the payload of its own NOTIFY echo; `onVersion` the service's
 * version (`services.version`) of each load and save, for the fleet status. @internal
 */
export function createPgOverrides(
  ref: PoolRef,
  plan: PgOverridesPlan,
  onSaved: (txid: string) => void = () => {},
  onVersion: (version: string) => void = () => {},
): OverridesBackend {
  const { schema, service, isolation, required } = plan
  const q = `"${schema}"`
  const where = (path: string) => `${schema}.overrides (${service}, ${path})`
  // What the store's overrides are based on: each leaf's JSON and row version as last read or written here.
  let baseline = new Map<string, { text: string; version: number }>()
  let unusable = new Set<string>()
  let last: PersistedOverrides | undefined
  /** The service row's `meta` (deadlines, probations) as last read or written here. */
  let lastMeta: string | null = null
  let loaded = false
  const inTurn = takingTurns()

  async function load(ctx: BackendContext): Promise<PersistedOverrides | undefined> {
    let rows: LoadRow[]
    try {
      const pool = await ref.get()
      await migrate(pool, schema)
      // One statement, one snapshot: the leaves and the service's metadata as of the same moment.
      ;({ rows } = await pool.query<LoadRow>(
        `SELECT s.version AS service_version, s.revision, s.updated_at, s.environment, s.meta::text AS meta, o.path,
                o.value::text AS text, o.version
           FROM (SELECT $1::text AS service) AS q
           LEFT JOIN ${q}.services AS s ON s.service = q.service
           LEFT JOIN ${q}.overrides AS o ON o.service = q.service`,
        [service],
      ))
    } catch (error) {
      const message = `PostgreSQL overrides of '${service}' could not be read: ${messageOf(error)}`
      return unreadOverrides(error, ctx, { message, source: `${schema}.overrides`, loaded, required, last })
    }
    loaded = true
    const serviceVersion = rows[0]?.service_version
    if (serviceVersion !== null && serviceVersion !== undefined) onVersion(serviceVersion)
    const leaves = rows.flatMap((r) => (r.path === null ? [] : [[r.path, r.text!] as const]))
    const { doc, issues } = buildLayer(leaves, where, 'row')
    for (const bad of issues) ctx.report({ code: 'CORRUPT_FILE', message: `${bad.message}; ignored` })
    unusable = new Set(issues.map((i) => i.path))
    const previous = baseline
    baseline = new Map()
    for (const row of rows) {
      if (row.path === null || unusable.has(row.path)) continue
      baseline.set(row.path, { text: row.text!, version: Number(row.version) })
    }
    // The same leaves and deadlines as last time (e.g. the echo of this instance's own save): the same document, so
    // the reload ends `unchanged`.
    const meta = rows[0]
    const metaText = meta?.meta ?? null
    if (last !== undefined && sameLeaves(previous, baseline) && metaText === lastMeta) return last
    lastMeta = metaText
    last = {
      overrides: doc,
      revision: meta?.revision ?? 0,
      updatedAt: meta?.updated_at?.toISOString() ?? new Date(0).toISOString(),
      environment: meta?.environment ?? ctx.environment,
      ...readMeta(parsedMeta(metaText)),
    }
    return last
  }

  async function save(doc: PersistedOverrides): Promise<{ version: string }> {
    const { puts, deletes } = leafChanges(doc.overrides, baseline)
    const metaText = metaTextOf(doc)
    if (puts.length === 0 && deletes.length === 0) {
      // Only a deadline or a probation changed (a renewal, a confirm): the service's row holds them, no leaf moves.
      if (metaText !== lastMeta) {
        const pool = await ref.get()
        await migrate(pool, schema)
        await pool.query(
          `INSERT INTO ${q}.services (service, meta) VALUES ($1, $2::json)
           ON CONFLICT (service) DO UPDATE SET meta = EXCLUDED.meta`,
          [service, metaText],
        )
        lastMeta = metaText
      }
      last = doc
      return { version: String(Math.max(0, ...[...baseline.values()].map((b) => b.version))) }
    }
    const scopes = scopesOf([...puts.map(([path]) => path), ...deletes], isolation)
    const pool = await ref.get()
    await migrate(pool, schema)
    const version = await inTransaction(pool, async (client) => {
      const current = await lockAndRead(client, q, service)
      const stale = conflicts(current, scopes, baseline, unusable, where)
      if (stale.length > 0) throw new ConfigError(stale)
      const written = await write(client, q, service, doc, puts, deletes)
      // Before COMMIT: the NOTIFY of this transaction may reach the listener before the COMMIT's reply reaches us.
      onSaved(written.txid)
      return written.version
    })
    for (const [path, text] of puts) baseline.set(path, { text, version })
    for (const path of deletes) baseline.delete(path)
    lastMeta = metaText
    last = doc
    onVersion(String(version))
    return { version: String(version) }
  }

  return {
    name: `postgres:${schema}.overrides/${service}`,
    load: (ctx: BackendContext) => inTurn(() => load(ctx)),
    save: (doc: PersistedOverrides) => inTurn(() => save(doc)),
    close: () => ref.close(),
  }
}

// --- internal ---

interface LoadRow {
  service_version: string | null
  meta: string | null
  revision: number | null
  updated_at: Date | null
  environment: string | null
  path: string | null
  text: string | null
  version: string | null
}

/** The `meta` column's text for a document: its deadlines and probations, or NULL. */
function metaTextOf(doc: PersistedOverrides): string | null {
  const meta = metaOf(doc)
  return meta === undefined ? null : JSON.stringify(meta)
}

function parsedMeta(text: string | null): Record<string, unknown> {
  if (text === null) return {}
  try {
    const meta: unknown = JSON.parse(text)
    return typeof meta === 'object' && meta !== null ? (meta as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

type Baseline = ReadonlyMap<string, { readonly text: string; readonly version: number }>

/** Locks the service's row, so saves take turns, and reads every leaf as the previous save left it. */
async function lockAndRead(client: PoolClient, q: string, service: string): Promise<Map<string, number>> {
  await client.query(`INSERT INTO ${q}.services (service) VALUES ($1) ON CONFLICT DO NOTHING`, [service])
  await client.query(`SELECT 1 FROM ${q}.services WHERE service = $1 FOR UPDATE`, [service])
  // Read after the lock: under READ COMMITTED each statement sees what the previous lock holder committed.
  const { rows } = await client.query<{ path: string; version: string }>(
    `SELECT path, version FROM ${q}.overrides WHERE service = $1`,
    [service],
  )
  return new Map(rows.map((r) => [r.path, Number(r.version)]))
}

/** Which rows of the written scopes another writer changed, created or deleted since this instance read them. */
function conflicts(
  current: ReadonlyMap<string, number>,
  scopes: readonly Scope[],
  baseline: Baseline,
  unusable: ReadonlySet<string>,
  where: (path: string) => string,
): ConfigIssue[] {
  const inScope = (path: string) => scopes.some((scope) => holds(scope, path))
  const stale = (path: string, what: string) =>
    issue('STALE_REVISION', path, `${where(path)} ${what} since this instance read it; reload and retry`, {
      source: where(path),
    })
  const found: ConfigIssue[] = []
  for (const [path, version] of current) {
    if (!inScope(path) || unusable.has(path)) continue
    const seen = baseline.get(path)
    if (seen === undefined) found.push(stale(path, `was created by another writer (version ${version})`))
    else if (seen.version !== version)
      found.push(stale(path, `was changed by another writer (version ${version})`))
  }
  for (const path of baseline.keys()) {
    if (inScope(path) && !current.has(path)) found.push(stale(path, 'was deleted by another writer'))
  }
  return found
}

/** Writes the changed leaves, deletes the reset ones and records the save; returns its version and transaction. */
async function write(
  client: PoolClient,
  q: string,
  service: string,
  doc: PersistedOverrides,
  puts: readonly (readonly [string, string])[],
  deletes: readonly string[],
): Promise<{ version: number; txid: string }> {
  const { rows } = await client.query<{ version: string; txid: string }>(
    `UPDATE ${q}.services SET version = version + 1, revision = $2, updated_at = $3, environment = $4, meta = $5::json
      WHERE service = $1 RETURNING version, txid_current()::text AS txid`,
    [service, doc.revision, doc.updatedAt, doc.environment, metaTextOf(doc)],
  )
  const version = Number(rows[0]!.version)
  if (puts.length > 0) {
    await client.query(
      `INSERT INTO ${q}.overrides (service, path, value, version)
         SELECT $1, path, value::json, $4 FROM unnest($2::text[], $3::text[]) AS leaf(path, value)
       ON CONFLICT (service, path) DO UPDATE SET value = EXCLUDED.value, version = EXCLUDED.version`,
      [service, puts.map(([path]) => path), puts.map(([, text]) => text), version],
    )
  }
  if (deletes.length > 0) {
    await client.query(`DELETE FROM ${q}.overrides WHERE service = $1 AND path = ANY($2::text[])`, [
      service,
      deletes,
    ])
  }
  await client.query(
    `INSERT INTO ${q}.history (service, version, changed, removed, environment)
       VALUES ($1, $2, (SELECT coalesce(json_object_agg(p, v::json), '{}') FROM unnest($3::text[], $4::text[]) AS c(p, v)), $5, $6)`,
    [service, version, puts.map(([path]) => path), puts.map(([, text]) => text), deletes, doc.environment],
  )
  return { version, txid: rows[0]!.txid }
}
