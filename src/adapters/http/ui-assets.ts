import { fail } from './problem.ts'
import type { UiFiles } from './ui-build.ts'

/** One file of the console as it is served. */
export interface UiAsset {
  readonly body: string
  readonly type: string
  readonly etag: string
  /** True for the content-hashed script and stylesheet, which never change under their name. */
  readonly immutable: boolean
}

/**
 * The console's files, loaded once per process: the built ones in `dist/ui/` (what the package ships), or, when
 * running from source, bundled in memory from `ui/`. A 404 problem when neither is there.
 */
export function uiAssets(): Promise<ReadonlyMap<string, UiAsset>> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined
    throw error
  })
  return loading
}

// --- internal ---

let loading: Promise<ReadonlyMap<string, UiAsset>> | undefined

async function load(): Promise<ReadonlyMap<string, UiAsset>> {
  return assetsOf((await builtFiles()) ?? (await sourceFiles()))
}

/**
 * `dist/ui/files.js`, through the package's `imports` map (`#ui-files`): this code runs from whichever bundled chunk
 * holds it. Not from source: there the console is bundled from `ui/`, never from a build that may be stale.
 */
async function builtFiles(): Promise<UiFiles | undefined> {
  if (import.meta.url.endsWith('.ts')) return undefined
  // A computed specifier: the module exists only in the built package, so neither tsc nor the bundler follows it.
  const specifier = '#ui-files'
  try {
    return ((await import(specifier)) as { files: UiFiles }).files
  } catch {
    return undefined
  }
}

async function sourceFiles(): Promise<UiFiles> {
  try {
    const { buildUi } = await import('./ui-build.ts')
    return await buildUi()
  } catch (error) {
    return fail(
      404,
      'NOT_FOUND',
      `the console is not built (run npm run build): ${error instanceof Error ? error.message.slice(0, 200) : ''}`,
    )
  }
}

function assetsOf(files: UiFiles): ReadonlyMap<string, UiAsset> {
  const assets = new Map<string, UiAsset>()
  for (const [name, body] of Object.entries(files)) {
    const ext = name.slice(name.lastIndexOf('.') + 1)
    assets.set(name, {
      body,
      type: TYPES[ext] ?? 'application/octet-stream',
      etag: `"${hashOf(body)}"`,
      immutable: name !== 'index.html',
    })
  }
  return assets
}

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
}

/** FNV-1a over the UTF-16 code units: an ETag needs to change with the content, not to resist forgery. */
function hashOf(text: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193)
  return `${(hash >>> 0).toString(16)}-${text.length.toString(16)}`
}
