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
  /** The lines the demo printed so far. */
  readonly printed: readonly string[]
}

/** The README's tour, scripted: each step checks what the service answers. Throws on a mismatch. */
export async function smokeTour({
  store,
  serviceUrl,
  adminUrl,
  token,
  configDir,
  printed,
}: Tour): Promise<void> {
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
  const admin = (path: string, method: string, body: unknown, type = 'application/json') =>
    fetch(`${adminUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': type, 'x-reason': 'demo' },
      body: JSON.stringify(body),
    })
  const before = store.revision
  await expectOk(admin('', 'PATCH', { features: { shout: true } }, 'application/merge-patch+json'))
  await expectGreeting(serviceUrl, 'HELLO, DEVELOPER!')
  await expectOk(admin('/rollback', 'POST', { revision: before, reason: 'demo rollback' }))
  await expectGreeting(serviceUrl, 'Hello, developer!')
  const rolledBack = store.history({ limit: 1 })[0]
  if (rolledBack?.source !== 'rollback' || rolledBack.rollbackOf !== before)
    throw new Error(`the rollback is recorded as ${rolledBack?.source}, back to ${rolledBack?.rollbackOf}`)
  await waitFor(() => printed.some((l) => /— rollback by .*, back to revision \d+$/.test(l)))

  console.log(
    '\n— step 4: the rollback is an override now: a file edit under it is reported, and reset drops it',
  )
  await writeFile(profile, `${original}features:\n  shout: true\n`)
  await waitFor(() =>
    printed.some((l) => /^! features\.shout: .* now says true, but the runtime override/.test(l)),
  )
  await expectGreeting(serviceUrl, 'Hello, developer!')
  await expectOk(admin('/reset', 'POST', { reason: 'back to the files' }))
  await expectGreeting(serviceUrl, 'HELLO, DEVELOPER!')
  await writeFile(profile, original)
  await waitFor(() => !store.current.features.shout)

  console.log('\n— step 5: SIGHUP with nothing to change')
  const checked = new Promise<void>((resolve) => {
    const subscription = store.events$.subscribe((e) => {
      if (e.type === 'transaction' && e.source === 'signal' && e.phase === 'unchanged') {
        subscription.unsubscribe()
        resolve()
      }
    })
  })
  process.kill(process.pid, 'SIGHUP')
  await checked
  await waitFor(() => printed.at(-1)?.endsWith('signal (received SIGHUP): checked, nothing changed') === true)
  console.log('\nsmoke tour passed')
}

// --- internal ---

async function expectGreeting(url: string, expected: string): Promise<void> {
  const text = (await (await fetch(url)).text()).trim()
  console.log(`  GET / → ${text}`)
  if (text !== expected) throw new Error(`expected "${expected}", got "${text}"`)
}

async function expectOk(response: Promise<Response>): Promise<void> {
  const res = await response
  if (res.status !== 200) throw new Error(`${res.url} answered ${res.status}: ${await res.text()}`)
}

async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('the demo did not see the change in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
