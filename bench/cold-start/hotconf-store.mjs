// Cold start (measure 8): from nothing loaded to a ready store of 3 file layers + env, in a fresh process.
// argv: the config directory, then the config as JSON (the schema's shape; a service would write it by hand).
const t0 = performance.now()
const [dir, spec] = process.argv.slice(2)
const { z } = await import('zod')
// What this process paid for zod, which the app imports anyway: the target's baseline, without another process's noise.
const zodMs = performance.now() - t0
const { createConfigStore } = await import('../../dist/index.js')
const { envSource, fileSource } = await import('../../dist/sources/index.js')
const shape = (v) =>
  typeof v === 'object'
    ? z.object(Object.fromEntries(Object.entries(v).map(([k, c]) => [k, shape(c)])))
    : typeof v === 'number'
      ? z.number().int()
      : typeof v === 'boolean'
        ? z.boolean()
        : z.string()
const store = await createConfigStore({
  schema: shape(JSON.parse(spec)),
  environment: 'production',
  sources: [
    fileSource(`${dir}/default.json`),
    fileSource(`${dir}/{environment}.json`),
    fileSource(`${dir}/local.json`),
    envSource({ prefix: 'APP_' }),
  ],
})
const ms = performance.now() - t0
console.log(JSON.stringify({ ms, zodMs, sinceStart: performance.now(), value: store.get('db.pool.max') }))
await store.close()
