import { createConfigStore } from '../../index.ts'
import { envSource, fileSource } from '../../sources/index.ts'
import type { ConfigSource, ConfigStore, Logger } from '../../types.ts'
import { usage } from '../exit.ts'
import { loadSchema } from './load-schema.ts'

/** What `check` and `explain` share: the schema, the files in layer order, the environment. */
export interface FileLayers {
  readonly schema: string | undefined
  readonly files: readonly string[]
  readonly environment: string
  readonly envPrefix: string | undefined
}

/**
 * Opens a store over the files as a service would layer them, with nothing else: no adapters, overrides in memory.
 * A file whose name holds `{environment}` is a profile: expanded, and optional. Rejects with the `ConfigError` the
 * service would get at start-up. `warnings` collects what the store only logs (e.g. an env var that names no key).
 */
export async function openFiles(layers: FileLayers, warnings: string[]): Promise<ConfigStore<unknown>> {
  if (layers.files.length === 0) throw usage('name at least one config file')
  const schema = await loadSchema(layers.schema)
  const sources: ConfigSource[] = layers.files.map((file) =>
    fileSource(file, { optional: file.includes('{environment}') }),
  )
  if (layers.envPrefix !== undefined) sources.push(envSource({ prefix: layers.envPrefix }))
  return (await createConfigStore({
    schema,
    sources,
    environment: layers.environment,
    logger: collectingLogger(warnings),
  })) as ConfigStore<unknown>
}

// --- internal ---

function collectingLogger(warnings: string[]): Logger {
  const keep = (msg: string) => void warnings.push(msg)
  return { debug: () => {}, info: () => {}, warn: keep, error: keep }
}
