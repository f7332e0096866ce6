import pg from 'pg'
import { clusterScenarios } from '../../support/cluster/scenarios.ts'
import { startPostgres } from '../../support/postgres-server.ts'
import { describePostgres } from './describe-postgres.ts'

// Three stores in this process and one in a child process, all on one PostgreSQL and one service.
describePostgres('postgres cluster', () => {
  clusterScenarios('postgres', async () => {
    const server = await startPostgres()
    const pool = new pg.Pool({ connectionString: server.connectionString, max: 1 })
    pool.on('error', () => {})
    const leaf = async (service: string, path: string) =>
      (
        await pool.query<{ value: unknown; version: string }>(
          'SELECT value, version FROM hotconf.overrides WHERE service = $1 AND path = $2',
          [service, path],
        )
      ).rows[0]!
    return {
      endpoint: server.connectionString,
      stop: () => server.stop(),
      start: () => server.start(),
      async close() {
        await pool.end()
        await server.close()
      },
      storedCounter: async (service) => (await leaf(service, 'counter')).value as number,
      storedVersion: async (service, path) => (await leaf(service, path)).version,
    }
  })
})
