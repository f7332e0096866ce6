// A fresh app's first run against the packed tarball: every subpath loads and a store works end to end.
// `node app.mjs` needs only hotconf and zod installed; `node app.mjs http` also drives the admin API (hono) and the
// OpenTelemetry and OpenFeature integrations.
import { ConfigError, createConfigStore, restart, secret } from 'hotconf'
import { etcdSync } from 'hotconf/etcd'
import { watchFiles } from 'hotconf/file'
import { onSignal } from 'hotconf/signal'
import { envSource } from 'hotconf/sources'
import { z } from 'zod'
import { z as z3 } from 'zod/v3'

const schema = z.object({
  server: z.object({ port: restart(z.number().int()).default(8080) }),
  pool: z.object({ max: z.number().int().default(10) }),
  apiKey: secret(z.string()).optional(),
})
const http = process.argv.includes('http') ? await import('hotconf/http') : undefined
const admin = http?.serveAdmin({ port: 0, hostname: '127.0.0.1' })

const store = await createConfigStore({
  schema,
  sources: [envSource({ prefix: 'APP_', env: { APP_POOL__MAX: '12' } })],
  adapters: [onSignal('SIGUSR2'), ...(admin ? [watchFiles(), admin] : [])],
})
check(store.get('pool.max') === 12, 'the env layer gives pool.max')
const result = await store.update({ pool: { max: 20 } }, { actor: 'consumer' })
check(result.status === 'committed' && store.current.pool.max === 20, 'an update commits')
check(typeof etcdSync === 'function', 'hotconf/etcd loads without etcd3 until it connects')
if (http) {
  const app = http.createAdminApp(store, { logger: { error() {}, warn() {}, info() {} } })
  const res = await app.request('/config/values/pool.max', {
    headers: { authorization: `Bearer ${app.generatedToken}` },
  })
  check(res.status === 200 && (await res.json()) === 20, 'the admin app answers')
  const page = await app.request('/config/ui/')
  const script = /src="(app\.[0-9a-f]+\.js)"/.exec(await page.text())?.[1]
  const bundle = script && (await app.request(`/config/ui/${script}`))
  check(page.status === 200 && bundle?.status === 200, 'the admin console is served from the packed build')
  const { instrumentStore } = await import('hotconf/opentelemetry')
  instrumentStore(store).dispose()
  const { HotconfProvider } = await import('hotconf/openfeature')
  const flags = new HotconfProvider(store, { prefix: 'pool' })
  const max = await flags.resolveNumberEvaluation('max', 0)
  check(max.value === 20 && max.reason === 'STATIC', 'the OpenFeature provider reads a value')
}
await store.close()

const error = await createConfigStore({ schema: z3.object({ a: z3.string() }) }).catch((e) => e)
check(error instanceof ConfigError && error.code === 'BAD_OPTIONS', 'a zod 3 schema is BAD_OPTIONS')
console.log(`ok ${process.version}${http ? ' http' : ''}`)

function check(ok, what) {
  if (!ok) throw new Error(`consumer: expected that ${what}`)
}
