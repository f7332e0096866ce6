import { messageOf } from './error-message.ts'
import { ConfigError, formatIssue, issue } from './errors.ts'
import type { Expiries } from './expiries.ts'
import type { Probations } from './probation.ts'
import { mergeLayers } from './tree/merge.ts'
import type {
  BackendContext,
  ConfigIssue,
  ConfigSource,
  OverridesBackend,
  PersistedOverrides,
  SourceContext,
  ValueOrigin,
} from './types.ts'
import { withTimeout } from './with-timeout.ts'

/** One loaded source layer. */
export interface LoadedLayer {
  readonly name: string
  readonly data: Readonly<Record<string, unknown>> | undefined
  readonly files: readonly string[]
  readonly origin?: (path: string) => string | undefined
  /** Read through to the source's own, which may compute it only when asked (a file's content hash). */
  readonly version: string | undefined
  /** What the source left out and reports (see `SourceData.warnings`). */
  readonly warnings?: readonly ConfigIssue[]
  /** Where the layer set values, for issues (see `SourceData.locate`). */
  readonly locate?: (paths: readonly string[]) => readonly (ValueOrigin | undefined)[]
}

/** Every layer below the effective config, low to high. Immutable: a transaction builds a new one. */
export interface LayerState {
  readonly defaults: Readonly<Record<string, unknown>>
  readonly initial: Readonly<Record<string, unknown>>
  readonly sources: readonly LoadedLayer[]
  /** Runtime overrides: only the paths changed at runtime; a `TOMBSTONE` where a runtime change deleted a key. */
  readonly overrides: Readonly<Record<string, unknown>>
  /**
   * Persisted overrides this schema does not accept (a key an instance with a newer schema wrote, a value an older
   * one allowed): not applied, but kept in the persisted document, so they are not lost for the instances that
   * accept them. See `parkOverrides`.
   */
  readonly parked: Readonly<Record<string, unknown>>
  /** Deadlines of the overrides that expire, persisted with them. */
  readonly expiries: Expiries
  /** Committed changes on probation, persisted with the overrides (a restart must still be able to revert them). */
  readonly probation: Probations
}

/** The overrides document to persist: the parked overrides, with the live ones over them. */
export function persistedOverrides(layers: LayerState): Readonly<Record<string, unknown>> {
  if (Object.keys(layers.parked).length === 0) return layers.overrides
  return mergeLayers([layers.parked, layers.overrides], { keepTombstones: true })
}

/** The merge of every layer, low to high, before validation. */
export function mergeLayerState(layers: LayerState): Record<string, unknown> {
  return mergeLayers(layerStack(layers))
}

/** Every layer's data, low to high, as `mergeLayerState` merges them. */
export function layerStack(layers: LayerState): readonly unknown[] {
  return [layers.defaults, layers.initial, ...layers.sources.map((s) => s.data), layers.overrides]
}

/**
 * Loads every source at once; collects every issue of every failing source before giving up. A source that has not
 * settled after `timeoutMs` fails with `SOURCE_TIMEOUT` (its signal is aborted, its late result dropped).
 */
export async function loadSources(
  sources: readonly ConfigSource[],
  ctx: Omit<SourceContext, 'signal'>,
  timeoutMs: number,
): Promise<LoadedLayer[]> {
  const issues: ConfigIssue[] = []
  const loaded = await Promise.all(
    sources.map(async (source): Promise<LoadedLayer | undefined> => {
      try {
        const got = await withTimeout(
          timeoutMs,
          (signal) => source.load({ ...ctx, signal }),
          () => timedOut(source.name, timeoutMs),
        )
        return {
          name: got.name ?? source.name,
          data: got.data,
          files: got.files ?? [],
          ...(got.origin ? { origin: got.origin } : {}),
          get version() {
            return got.version
          },
          ...(got.warnings?.length ? { warnings: got.warnings } : {}),
          ...(got.locate ? { locate: got.locate } : {}),
        }
      } catch (error) {
        if (error instanceof ConfigError) issues.push(...error.issues)
        else issues.push({ code: 'SOURCE_FAILED', path: '', source: source.name, message: messageOf(error) })
        return undefined
      }
    }),
  )
  if (issues.length > 0) throw new ConfigError(issues)
  return loaded as LoadedLayer[]
}

/** The backend's persisted overrides; a load that has not settled after `timeoutMs` fails with `SOURCE_TIMEOUT`. */
export function loadOverrides(
  backend: OverridesBackend,
  ctx: Omit<BackendContext, 'signal'>,
  timeoutMs: number,
): Promise<PersistedOverrides | undefined> {
  return withTimeout(
    timeoutMs,
    (signal) => backend.load({ ...ctx, signal }),
    () => timedOut(backend.name, timeoutMs),
  )
}

/**
 * Reports the warnings of loaded layers (`SourceData.warnings`), each once for the life of the store: a reload that
 * finds the same stray variable again says nothing new.
 */
export function sourceWarnings(
  report: (code: ConfigIssue['code'], message: string) => void,
): (layers: readonly LoadedLayer[]) => void {
  const seen = new Set<string>()
  return (layers) => {
    for (const warning of layers.flatMap((layer) => layer.warnings ?? [])) {
      const text = formatIssue(warning)
      if (seen.has(text)) continue
      seen.add(text)
      report(warning.code, text)
    }
  }
}

// --- internal ---

function timedOut(source: string, timeoutMs: number): ConfigError {
  return new ConfigError(
    issue('SOURCE_TIMEOUT', '', `${source} did not load within ${timeoutMs} ms (loadTimeoutMs)`, { source }),
  )
}
