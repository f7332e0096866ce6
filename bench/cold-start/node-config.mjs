// Cold start (measure 8): node-config's `require('config')` (NODE_CONFIG_DIR, NODE_ENV=production: default,
// production and local files + custom-environment-variables), then one `get`, in a fresh process.
import { createRequire } from 'node:module'

const t0 = performance.now()
const config = createRequire(import.meta.url)('config')
const value = config.get('db.pool.max')
const ms = performance.now() - t0
console.log(JSON.stringify({ ms, sinceStart: performance.now(), value }))
