import { describe, expect, it } from 'vitest'
import { createConfigStore, type Logger } from '../src/index.ts'
import { appSchema } from './fixtures/schemas.ts'

function recordingLogger(): Logger & { readonly warnings: string[] } {
  const warnings: string[] = []
  return { warnings, debug() {}, info() {}, warn: (msg) => void warnings.push(msg), error() {} }
}

describe('StoreEffects.settle', () => {
  it('logs a rejected update from the API once at warn level when nobody reads the result', async () => {
    const logger = recordingLogger()
    await using store = await createConfigStore({ schema: appSchema, logger })
    void store.set('pool.max', 'lots' as never)
    await store.set('pool.max', 11)
    expect(logger.warnings).toHaveLength(1)
    expect(logger.warnings[0]).toMatch(/^api rejected:\nINVALID at pool\.max/)
  })

  it('logs a rolled-back transaction once, whatever door it came through', async () => {
    const logger = recordingLogger()
    await using store = await createConfigStore({ schema: appSchema, logger })
    store.participate(() => {
      throw new Error('pool refuses')
    })
    await store.update({ pool: { max: 12 } }, { source: 'http' })
    await store.update({ pool: { max: 13 } })
    expect(logger.warnings).toEqual([
      expect.stringMatching(/^http rolledBack:\nPARTICIPANT_FAILED/),
      expect.stringMatching(/^api rolledBack:\nPARTICIPANT_FAILED/),
    ])
  })

  it('logs rejected rollbacks, resets and imports', async () => {
    const logger = recordingLogger()
    await using store = await createConfigStore({ schema: appSchema, logger })
    await store.rollback(99)
    await store.import({ config: { pool: { max: 'x' } } })
    expect(logger.warnings).toEqual([
      expect.stringMatching(/^rollback rejected:\nNOT_FOUND/),
      expect.stringMatching(/^import rejected:\nINVALID at pool\.max/),
    ])
  })
})
