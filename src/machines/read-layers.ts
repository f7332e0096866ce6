import type { z } from 'zod'
import { readExpiries } from '../expiries.ts'
import { type LoadedLayer, loadOverrides, loadSources } from '../layers.ts'
import { readProbation } from '../probation.ts'
import type { ConfigSource, OverridesBackend } from '../types.ts'
import type { PersistedLayer } from './transaction.ts'

/** What a reload reads, and where it reports what it found on the way. */
export interface ReadEnv {
  readonly schema: z.ZodType
  readonly sources: readonly ConfigSource[]
  readonly backend: OverridesBackend | undefined
  readonly environment: string
  /** Time each source read and backend load has (`loadTimeoutMs`). */
  readonly loadTimeoutMs: number
  readonly report: (code: 'CORRUPT_FILE' | 'SOURCE_FAILED', message: string) => void
  /** Reports what loaded layers left out (see `sourceWarnings`). */
  readonly warnSources: (layers: readonly LoadedLayer[]) => void
}

/**
 * A reload's reads: every source (with the bytes its caller handed over, see `ReloadMeta.contents`), then (only with
 * a backend) the overrides, which another instance may have written. Each rejects with a `ConfigError` listing every
 * issue. The machine's loader decides when each runs.
 */
export function layerReads(env: ReadEnv): {
  readSources(contents?: ReadonlyMap<string, Uint8Array>): Promise<readonly LoadedLayer[]>
  readOverrides?: () => Promise<PersistedLayer>
} {
  const { backend } = env
  const readSources = async (contents?: ReadonlyMap<string, Uint8Array>) => {
    const layers = await loadSources(
      env.sources,
      { environment: env.environment, schema: env.schema, ...(contents ? { contents } : {}) },
      env.loadTimeoutMs,
    )
    env.warnSources(layers)
    return layers
  }
  if (!backend) return { readSources }
  return {
    readSources,
    readOverrides: async () => {
      const doc = await loadOverrides(
        backend,
        { environment: env.environment, report: (w) => env.report(w.code, w.message) },
        env.loadTimeoutMs,
      )
      return {
        overrides: doc?.overrides ?? {},
        expiries: readExpiries(doc?.expiries),
        probation: readProbation(doc?.probation),
      }
    },
  }
}
