// A strict NodeNext TypeScript consumer, type-checked against the packed .d.ts files (skipLibCheck off).
import { type ConfigStore, createConfigStore, restart, secret, type UpdateResult } from 'hotconf'
import { etcdOverrides, etcdSync } from 'hotconf/etcd'
import { watchFiles } from 'hotconf/file'
import { createAdminApp, serveAdmin } from 'hotconf/http'
import { HotconfProvider } from 'hotconf/openfeature'
import { instrumentStore } from 'hotconf/opentelemetry'
import { onSignal } from 'hotconf/signal'
import { envSource, fileSource } from 'hotconf/sources'
import { z } from 'zod'

const schema = z.object({
  server: z.object({ port: restart(z.number().int()).default(8080) }),
  pool: z.object({ max: z.number().int().default(10) }),
  apiKey: secret(z.string()).optional(),
})

export async function main(): Promise<UpdateResult> {
  const store = await createConfigStore({
    schema,
    sources: [fileSource('config.yaml', { optional: true }), envSource({ prefix: 'APP_' })],
    overrides: { backend: etcdOverrides({ hosts: '127.0.0.1:2379', prefix: 'app/overrides' }) },
    adapters: [
      watchFiles(),
      onSignal('SIGHUP'),
      serveAdmin({ port: 0 }),
      etcdSync({ hosts: '127.0.0.1:2379', prefix: 'app/overrides' }),
    ],
  })
  const max: number = store.get('pool.max')
  // @ts-expect-error: no such path
  store.get('pool.maxx')
  // @ts-expect-error: wrong value type for the path
  await store.set('pool.max', 'ten')
  createAdminApp(store)
  instrumentStore(store).dispose()
  const provider: HotconfProvider = new HotconfProvider(store, { prefix: 'pool' })
  void provider.metadata.name
  // A typed store is any store (#16): helpers take ConfigStore<unknown> without casts.
  const anyStore: ConfigStore<unknown> = store
  void anyStore.revision
  const result = await store.update({ pool: { max: max + 1 } })
  await store.close()
  return result
}
