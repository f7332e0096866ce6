import { contentHash, isMissingDependency, messageOf } from '../../adapter-kit.ts'
import { ConfigError, issue } from '../../errors.ts'
import type { ConfigSource, SourceData } from '../../types.ts'
import { buildLayer } from '../leaf-layer.ts'
import { migrate } from './migration.ts'
import type { PoolRef } from './pg-client.ts'

/** Where one service's fleet layer lives. @internal */
export interface PgSourcePlan {
  readonly schema: string
  readonly service: string
  readonly required: boolean
}

/**
 * The fleet-wide layer of a service: its rows of `<schema>.layer`, one per leaf (`path` dotted, `value` JSON; a
 * value that is not JSON is taken as a string). When the database cannot be read, the last layer read keeps
 * serving; at start the layer is absent (or store creation fails with `SOURCE_FAILED` when `required`). @internal
 */
export function createPgSource(ref: PoolRef, plan: PgSourcePlan): ConfigSource {
  const { schema, service, required } = plan
  const name = `postgres:${schema}.layer/${service}`
  const where = (path: string) => `${schema}.layer (${service}, ${path})`
  let last: SourceData | undefined

  return {
    name,
    async load() {
      let rows: { path: string; text: string }[]
      try {
        const pool = await ref.get()
        await migrate(pool, schema)
        ;({ rows } = await pool.query<{ path: string; text: string }>(
          `SELECT path, value::text AS text FROM "${schema}".layer WHERE service = $1 ORDER BY path`,
          [service],
        ))
      } catch (error) {
        // A missing pg is a set-up error: no later reload can cure it, so it must not pass for an outage.
        if (isMissingDependency(error)) throw error
        if (last !== undefined) return last
        if (!required) return { data: undefined, name }
        throw new ConfigError(
          issue('SOURCE_FAILED', '', `PostgreSQL could not be read: ${messageOf(error)}`, {
            source: `${schema}.layer`,
          }),
          { cause: error },
        )
      }
      const { doc, issues } = buildLayer(
        rows.map((r) => [r.path, r.text] as const),
        where,
        'row',
      )
      if (issues.length > 0) throw new ConfigError(issues)
      const paths = new Set(rows.map((r) => r.path))
      last = {
        data: doc,
        name,
        version: contentHash(JSON.stringify(rows)),
        origin: (path) => (paths.has(path) ? `postgres:${where(path)}` : undefined),
      }
      return last
    },
  }
}
