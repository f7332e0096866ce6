import { describe } from 'vitest'
import { postgresAvailable, postgresMissingReason } from '../../support/postgres-server.ts'

/** `describe` that skips, loudly, when the PostgreSQL server binaries are not installed. */
export function describePostgres(name: string, body: () => void): void {
  if (postgresMissingReason) console.warn(`${name}: ${postgresMissingReason}`)
  describe.skipIf(!postgresAvailable)(name, body)
}
