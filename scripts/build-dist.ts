// `npm run build`: the package's JavaScript, bundled from src/ by esbuild (the .d.ts files come from tsc). One file
// per entry point of the exports map and the CLI, the code they share in dist/chunks/, and a chunk per lazy import
// (`yaml`, the HTTP runtime, the CLI's modes), with the dependencies left as imports. A store used to load 68 of our
// modules one by one: resolving, reading and compiling each cost more than running them (issue 23, measure 8).
import { readFileSync } from 'node:fs'
import { build } from 'esbuild'

type Target = string | Readonly<Record<string, string>>
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  exports: Readonly<Record<string, Target>>
}
const entries = Object.values(pkg.exports).flatMap((target) =>
  typeof target === 'object' && target['@hotconf/source'] ? [target['@hotconf/source']] : [],
)

await build({
  entryPoints: [...entries, './src/cli/bin.ts'],
  absWorkingDir: new URL('..', import.meta.url).pathname,
  outbase: 'src',
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // The console's built files are found through the package's own `imports` map, wherever the chunk lands.
  external: ['#ui-files'],
  sourcemap: true,
  logLevel: 'warning',
})
