import { ConfigError } from './errors.ts'
import type { Redactor } from './schema/redactor.ts'
import { mergeLayers } from './tree/merge.ts'
import { getAt, splitPath } from './tree/paths.ts'
import type { ConfigIssue, ConfigSource, Explanation, SourceContext } from './types.ts'

/** One loaded source layer. */
export interface LoadedLayer {
  readonly name: string
  readonly data: Readonly<Record<string, unknown>> | undefined
  readonly files: readonly string[]
  readonly origin?: (path: string) => string | undefined
  readonly version?: string
}

/** Every layer below the effective config, low to high. Immutable: a transaction builds a new one. */
export interface LayerState {
  readonly defaults: Readonly<Record<string, unknown>>
  readonly initial: Readonly<Record<string, unknown>>
  readonly sources: readonly LoadedLayer[]
  /** Runtime overrides: only the paths changed at runtime. */
  readonly overrides: Readonly<Record<string, unknown>>
}

/** The merge of every layer, low to high, before validation. */
export function mergeLayerState(layers: LayerState): Record<string, unknown> {
  return mergeLayers([
    layers.defaults,
    layers.initial,
    ...layers.sources.map((s) => s.data),
    layers.overrides,
  ])
}

/** Loads every source in order; collects every issue of every failing source before giving up. */
export async function loadSources(
  sources: readonly ConfigSource[],
  ctx: SourceContext,
): Promise<LoadedLayer[]> {
  const issues: ConfigIssue[] = []
  const loaded = await Promise.all(
    sources.map(async (source): Promise<LoadedLayer | undefined> => {
      try {
        const got = await source.load(ctx)
        return {
          name: got.name ?? source.name,
          data: got.data,
          files: got.files ?? [],
          ...(got.origin ? { origin: got.origin } : {}),
          ...(got.version === undefined ? {} : { version: got.version }),
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

/** Which layer gave the value at `path`, and the lower layers it shadows (secrets redacted). */
export function explainPath(
  layers: LayerState,
  path: string,
  value: unknown,
  redactor: Redactor,
): Explanation {
  const segments = splitPath(path)
  const found: { layer: string; value: unknown }[] = []
  const look = (layer: string, data: unknown) => {
    const v = getAt(data, segments)
    if (v !== undefined) found.push({ layer, value: redactor.value(v, path) })
  }
  look('override', layers.overrides)
  for (let i = layers.sources.length - 1; i >= 0; i--) {
    const source = layers.sources[i]!
    look(source.origin?.(path) ?? source.name, source.data)
  }
  look('initial', layers.initial)
  look('default', layers.defaults)
  const [top, ...shadowed] = found
  return { path, value: redactor.value(value, path), layer: top?.layer ?? 'default', shadowed }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
