import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { MIGRATIONS } from '../../../src/adapters/postgres/migration.ts'

const doc = readFileSync(new URL('../../../docs/postgres.md', import.meta.url), 'utf8')

describe('docs/postgres.md', () => {
  it('prints every migration exactly as the library applies it', () => {
    for (const [i, sql] of MIGRATIONS.entries()) expect(doc).toContain(`-- version ${i + 1}\n${sql}\n`)
  })
})
