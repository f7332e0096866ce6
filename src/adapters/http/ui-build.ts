import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

/** The console's files by name: `index.html` and its content-hashed script and stylesheet. */
export type UiFiles = Readonly<Record<string, string>>

/**
 * Bundles the console from its sources in `ui/` with esbuild (a devDependency): `npm run build` writes the result
 * to `dist/ui/`, and a server running from source calls this once instead, so tests need no build step. The
 * names carry a hash of the content, so a browser may cache them for good.
 */
export async function buildUi(): Promise<UiFiles> {
  const esbuild = await import('esbuild')
  const result = await esbuild.build({
    entryPoints: { app: fileURLToPath(new URL('main.ts', UI_SOURCES)) },
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    legalComments: 'none',
    write: false,
    outdir: 'out',
    logLevel: 'silent',
  })
  const files: Record<string, string> = {}
  const names: Record<string, string> = {}
  for (const out of result.outputFiles) {
    const ext = out.path.endsWith('.css') ? 'css' : 'js'
    const name = `app.${createHash('sha256').update(out.contents).digest('hex').slice(0, 12)}.${ext}`
    files[name] = out.text
    names[ext] = name
  }
  const template = await readFile(new URL('index.html', UI_SOURCES), 'utf8')
  files['index.html'] = template.replace('app.css', names.css ?? '').replace('app.js', names.js ?? '')
  return files
}

// --- internal ---

// From src/adapters/http/ to the repository's ui/ (not shipped: the package carries the built files instead).
const UI_SOURCES = new URL('../../../ui/', import.meta.url)
