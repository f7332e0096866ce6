// `npm run build`: the admin console into dist/ui/, as files to look at and as dist/ui/files.js, the module the
// server loads (a module, not files read from disk, so the console works wherever the package's JS runs).
import { mkdirSync, writeFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { buildUi } from '../src/adapters/http/ui-build.ts'

const out = new URL('../dist/ui/', import.meta.url)
const files = await buildUi()
mkdirSync(out, { recursive: true })
for (const [name, text] of Object.entries(files)) writeFileSync(new URL(name, out), text)
writeFileSync(new URL('files.js', out), `export const files = ${JSON.stringify(files)}\n`)
const size = (ext: string) =>
  Object.entries(files)
    .filter(([name]) => name.endsWith(ext))
    .reduce((n, [, text]) => n + gzipSync(text).byteLength, 0)
// On stderr: `npm pack --json` runs this (prepack) and its stdout must stay JSON.
process.stderr.write(`dist/ui: JS ${size('.js')} B + CSS ${size('.css')} B gzipped\n`)
