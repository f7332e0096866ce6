// Cold start (measure 8): convict's require, schema, `loadFile` of the 3 files, `validate`, then one `get`, in a
// fresh process. argv: the config directory, then convict's schema as JSON (its env mapping included).
import { createRequire } from 'node:module'

const t0 = performance.now()
const [dir, schema] = process.argv.slice(2)
const convict = createRequire(import.meta.url)('convict')
const conf = convict(JSON.parse(schema))
conf.loadFile([`${dir}/default.json`, `${dir}/production.json`, `${dir}/local.json`])
conf.validate({ allowed: 'strict' })
const value = conf.get('db.pool.max')
const ms = performance.now() - t0
console.log(JSON.stringify({ ms, sinceStart: performance.now(), value }))
