import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ConfigStore } from 'hotconf'
import type { DemoConfig } from './schema.ts'

interface Tour {
  readonly store: ConfigStore<DemoConfig>
  readonly serviceUrl: string
  readonly adminUrl: string
  readonly token: string
  readonly configDir: string
}

/** The README's three-step tour, scripted: each step checks what the service answers. Throws on a mismatch. */
export async function smokeTour({ store, serviceUrl, adminUrl, token, configDir }: Tour): Promise<void> {
  const profile = join(configDir, 'development.yaml')
  const original = await readFile(profile, 'utf8')
  await expectGreeting(serviceUrl, 'Hello, developer!')

  console.log('\n— step 1: edit the YAML')
  await writeFile(profile, original.replace('name: developer', 'name: hot reload'))
  await waitFor(() => store.current.greeting.name === 'hot reload')
  await expectGreeting(serviceUrl, 'Hello, hot reload!')

  console.log('\n— step 2: break the YAML: refused, the service goes on')
  const refused = store.events().length
  await writeFile(profile, 'greeting:\n  name: [unclosed\n')
  await waitFor(() =>
    store
      .events()
      .slice(0, store.events().length - refused)
      .some((e) => e.status === 'rejected'),
  )
  await expectGreeting(serviceUrl, 'Hello, hot reload!')
  await writeFile(profile, original)
  await waitFor(() => store.current.greeting.name === 'developer')

  console.log('\n— step 3: PATCH through the admin API, then roll back')
  const auth = { authorization: `Bearer ${token}` }
  const before = store.revision
  const patch = await fetch(adminUrl, {
    method: 'PATCH',
    headers: { ...auth, 'content-type': 'application/merge-patch+json', 'x-reason': 'demo' },
    body: JSON.stringify({ features: { shout: true } }),
  })
  if (patch.status !== 200) throw new Error(`PATCH answered ${patch.status}: ${await patch.text()}`)
  await expectGreeting(serviceUrl, 'HELLO, DEVELOPER!')
  const rollback = await fetch(`${adminUrl}/rollback`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ revision: before, reason: 'demo rollback' }),
  })
  if (rollback.status !== 200)
    throw new Error(`rollback answered ${rollback.status}: ${await rollback.text()}`)
  await expectGreeting(serviceUrl, 'Hello, developer!')
  console.log('\nsmoke tour passed')
}

// --- internal ---

async function expectGreeting(url: string, expected: string): Promise<void> {
  const text = (await (await fetch(url)).text()).trim()
  console.log(`  GET / → ${text}`)
  if (text !== expected) throw new Error(`expected "${expected}", got "${text}"`)
}

async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('the demo did not see the change in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
