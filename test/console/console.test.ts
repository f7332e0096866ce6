import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Page,
  type Response as PlaywrightResponse,
} from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { watchFiles } from '../../src/adapters/file/index.ts'
import { adminOpenApi, serveAdmin } from '../../src/adapters/http/index.ts'
import { createConfigStore, restart, secret } from '../../src/index.ts'
import { fileSource } from '../../src/sources/index.ts'
import type { ConfigStore } from '../../src/types.ts'
import { type Contract, createContract } from '../adapters/http/contract.ts'
import { ADMIN, memoryLogger, READ, TOKENS, WRITE } from '../adapters/http/fixture.ts'

/** Debian's `chromium` package (`.ci/run` installs it); another binary with HOTCONF_CHROMIUM. */
const CHROMIUM = process.env.HOTCONF_CHROMIUM ?? '/usr/bin/chromium'
const hasChromium = existsSync(CHROMIUM)
if (!hasChromium)
  console.warn(`SKIPPED: the console tests need Chromium at ${CHROMIUM} (apt-get install chromium)`)

const XSS = '<img src=x onerror=alert(1)>'
const schema = z.object({
  server: z.object({ port: restart(z.number().int().min(1).max(65535)).default(8080) }),
  pool: z.object({
    min: z.number().int().min(0).default(2),
    max: z.number().int().min(1).max(1000).default(10),
  }),
  name: z.string().min(1),
  mode: z.enum(['fast', 'safe']).default('safe'),
  debug: z.boolean().default(false),
  apiKey: secret(z.string().min(8)).default('sk-live-4f9a2c7e1b'),
  tags: z.array(z.string()).default([]),
})

let browser: Browser
let context: BrowserContext
let page: Page
let dir: string
let store: ConfigStore<z.output<typeof schema>>
let url = ''
/** What the page reported that it should not have: uncaught errors, console errors (CSP violations), dialogs. */
let complaints: string[]
/** The checks of every exchange the page had with the API against its OpenAPI document (#24). */
let exchanges: Promise<string | undefined>[]

beforeAll(async () => {
  if (hasChromium) browser = await chromium.launch({ executablePath: CHROMIUM, headless: true })
})
afterAll(async () => {
  await browser?.close()
})

beforeEach(async () => {
  if (!hasChromium) return
  dir = mkdtempSync(join(tmpdir(), 'hotconf-console-'))
  writeFileSync(join(dir, 'config.yaml'), 'name: svc\npool:\n  max: 10\n')
  store = await createConfigStore({
    schema,
    environment: 'test',
    logger: memoryLogger(),
    sources: [fileSource(join(dir, 'config.yaml'))],
    adapters: [
      watchFiles({ debounceMs: 20 }),
      serveAdmin({ port: 0, tokens: TOKENS, onListen: (a) => (url = `${a.url}/ui/`) }),
    ],
  })
  context = await browser.newContext()
  context.setDefaultTimeout(5000)
  page = await context.newPage()
  complaints = []
  page.on('pageerror', (e) => complaints.push(`pageerror: ${e.message}`))
  // Problems the API answers (a 422 from a review, the favicon's 404) are logged as failed loads: not complaints.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) complaints.push(m.text())
  })
  page.on('dialog', (d) => {
    complaints.push(`dialog: ${d.message()}`)
    void d.dismiss()
  })
  // The console uses nothing the document does not describe: each response the page gets, checked against it.
  const contract = createContract(adminOpenApi(store))
  exchanges = []
  page.on('response', (r) =>
    exchanges.push(checkExchange(contract, r).then(noProblem, (e: unknown) => String(e))),
  )
})
afterEach(async () => {
  if (!hasChromium) return
  // Before the context closes: a check still reading a response would fail with "Target … has been closed".
  const problems = (await Promise.all(exchanges)).filter(Boolean)
  await context.close()
  await store.close()
  rmSync(dir, { recursive: true, force: true })
  expect(complaints).toEqual([])
  expect(problems).toEqual([])
})

const noProblem = () => undefined

async function bodyOf(r: PlaywrightResponse): Promise<Buffer | undefined> {
  try {
    return await r.body()
  } catch (error) {
    if (/navigated away|No resource with given identifier/.test(String(error))) return undefined
    throw error
  }
}

async function checkExchange(contract: Contract, r: PlaywrightResponse): Promise<void> {
  const request = r.request()
  // The live stream's body never ends; its events are the SSE tests' to check.
  if (!r.url().includes('/config/') || request.url().endsWith('/stream')) return
  const status = r.status()
  const body = status === 204 || (status >= 300 && status < 400) ? null : await bodyOf(r)
  // The page navigated away (a reload) before the body was read: Chromium has dropped it, nothing to check.
  if (body === undefined) return
  await contract.check(
    {
      method: request.method(),
      url: r.url(),
      headers: await request.allHeaders(),
      body: request.postData() ?? undefined,
    },
    new Response(body && new Uint8Array(body), { status, headers: await r.allHeaders() }),
  )
}

async function signIn(token: string): Promise<void> {
  await page.goto(url)
  await page.getByLabel('Token').fill(token)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByText(/^Signed in as/).waitFor()
}

const leaf = (path: string) => page.locator(`li.leaf[data-path="${path}"]`)
const field = (path: string) => page.getByLabel(path, { exact: true })

describe.skipIf(!hasChromium)('the admin console in Chromium (#18)', () => {
  it('signs in with a token kept in sessionStorage, shows the config tree, explains a value and signs out', async () => {
    await page.goto(url)
    await page.getByLabel('Token').fill('not-a-token-0123456789')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.getByRole('alert').first().textContent()).toBe('That token was refused.')

    await signIn(READ)
    expect(page.url()).not.toContain(READ)
    expect(await page.evaluate("sessionStorage.getItem('hotconf.token')")).toBe(READ)
    await expect.poll(() => leaf('pool.max').locator('.value').textContent()).toBe('10')
    expect(await leaf('apiKey').locator('.value').textContent()).toBe('[redacted]')
    expect(await leaf('server.port').textContent()).toContain('restart to apply')
    expect(await page.content()).not.toContain('sk-live-4f9a2c7e1b')

    await page.getByRole('button', { name: 'Explain pool.max' }).click()
    await expect.poll(() => page.locator('[id="explain-pool.max"]').textContent()).toContain('file:')

    await page.getByLabel('Filter by path').fill('pool')
    await expect.poll(() => page.locator('li.leaf').count()).toBe(2)

    await page.reload()
    await page.getByText(/^Signed in as reader \(read\)/).waitFor()
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByLabel('Token').waitFor()
    expect(await page.evaluate("sessionStorage.getItem('hotconf.token')")).toBeNull()

    // A token the server no longer accepts (here: one it never had) brings the sign-in back, saying why.
    await page.evaluate("sessionStorage.setItem('hotconf.token', 'revoked-token-0123456789')")
    await page.reload()
    await expect
      .poll(() => page.getByRole('alert').first().textContent())
      .toContain('refused the token (401)')
    expect(await page.evaluate("sessionStorage.getItem('hotconf.token')")).toBeNull()
  })

  it('edits a value, reviews the diff, commits it with a reason and shows it in history', async () => {
    await signIn(WRITE)
    await field('pool.max').fill('20')
    await page.getByRole('button', { name: 'Review' }).click()
    const diff = page.locator('table.diff')
    await expect.poll(() => diff.locator('tbody td').allTextContents()).toEqual(['pool.max', '10', '20'])
    expect(store.current.pool.max).toBe(10)

    await page.getByRole('button', { name: 'Commit' }).click()
    await expect.poll(() => page.locator('#reason-error').textContent()).toContain('reason is required')
    await page.getByLabel('Reason', { exact: true }).fill('traffic spike')
    await page.getByRole('button', { name: 'Commit' }).click()
    await page.getByText('Committed: revision 2.').waitFor()
    expect(store.current.pool.max).toBe(20)
    expect(store.history({ limit: 1 })[0]).toMatchObject({
      actor: 'writer',
      reason: 'traffic spike',
      source: 'http',
    })

    await page.getByRole('button', { name: 'History' }).click()
    const entry = page.locator('ol.history > li').first()
    await expect
      .poll(() => entry.locator('summary').textContent())
      .toMatch(/r2 .*writer · http · “traffic spike” · pool\.max/)
    await entry.locator('summary').click()
    expect(await entry.locator('table.diff tbody td').allTextContents()).toEqual(['pool.max', '10', '20'])
    // Writers do not roll back: the button is the admin role's.
    expect(await entry.getByRole('button', { name: /Roll back/ }).count()).toBe(0)
  })

  it('shows a validation error beside its field and commits nothing', async () => {
    await signIn(ADMIN)
    await field('pool.max').fill('5000')
    await field('mode').selectOption('"fast"')
    await page.getByRole('button', { name: 'Review' }).click()
    await expect.poll(() => page.locator('[id="error-pool.max"]').textContent()).toMatch(/1000/)
    expect(await field('pool.max').getAttribute('aria-describedby')).toBe('error-pool.max')
    expect(await page.getByRole('button', { name: 'Commit' }).isDisabled()).toBe(true)
    await field('tags').fill('["a", ')
    await page.getByRole('button', { name: 'Review' }).click()
    await expect.poll(() => page.locator('[id="error-tags"]').textContent()).toContain('valid JSON')
    expect(store.revision).toBe(1)
  })

  it('rolls back to a revision from history after confirming with a reason', async () => {
    await store.set('pool.max', 99, { actor: 'deploy', reason: 'bad deploy' })
    await signIn(ADMIN)
    await page.getByRole('button', { name: 'History' }).click()
    await page.locator('ol.history summary', { hasText: /^r2 / }).click()
    await page.getByRole('button', { name: 'Undo: roll back to before this (revision 1)' }).click()
    const dialog = page.getByRole('dialog', { name: 'Roll back' })
    await dialog.getByRole('button', { name: 'Roll back' }).click()
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('reason is required')
    await dialog.getByLabel('Reason').fill('undo the bad deploy')
    await dialog.getByRole('button', { name: 'Roll back' }).click()
    await expect.poll(() => store.current.pool.max).toBe(10)
    expect(store.history({ limit: 1 })[0]).toMatchObject({ actor: 'boss', reason: 'undo the bad deploy' })
    await expect.poll(() => page.locator('ol.history > li').first().textContent()).toMatch(/^r3 /)
  })

  it('creates, rolls back to and deletes a snapshot', async () => {
    await signIn(ADMIN)
    await page.getByRole('button', { name: 'Snapshots' }).click()
    await page.getByLabel('Snapshot label').fill('before launch')
    await page.getByRole('button', { name: 'Create snapshot' }).click()
    await expect.poll(() => store.snapshots().map((s) => s.label)).toEqual(['before launch'])
    await store.set('pool.max', 50)
    await page.getByRole('button', { name: 'Roll back to snapshot “before launch”' }).click()
    await page.getByRole('dialog').getByLabel('Reason').fill('launch went wrong')
    await page.getByRole('dialog').getByRole('button', { name: 'Roll back' }).click()
    await expect.poll(() => store.current.pool.max).toBe(10)
    await page.getByRole('button', { name: 'Delete snapshot “before launch”' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click()
    await expect.poll(() => store.snapshots().length).toBe(0)
    await page.getByText('No snapshots.').waitFor()
  })

  it('shows a file save live, highlighted, and flags an edit it overlaps instead of overwriting it', async () => {
    await signIn(WRITE)
    await expect.poll(() => leaf('pool.max').locator('.value').textContent()).toBe('10')
    await page.getByText('● live').waitFor()
    await field('pool.max').fill('12')
    const saved = Date.now()
    writeFileSync(join(dir, 'config.yaml'), 'name: svc\npool:\n  max: 33\n')
    await expect.poll(() => leaf('pool.max').locator('.value').textContent(), { timeout: 3000 }).toBe('33')
    console.info(`console: a file save showed in the page after ${Date.now() - saved} ms`)
    expect(Date.now() - saved).toBeLessThan(1000) // "within a second", as the issue asks
    expect(await leaf('pool.max').textContent()).toContain('updated')
    expect(await field('pool.max').inputValue()).toBe('12')
    expect(await page.locator('[id="error-pool.max"]').textContent()).toContain('changed elsewhere to 33')
    expect(await page.getByRole('button', { name: 'Commit' }).isDisabled()).toBe(true)
  })

  it('answers a 412 with "Reload and re-apply", which keeps the edit and reviews it against the new config', async () => {
    // No live updates, so the page cannot know of the commit below before it sends its own.
    await context.route('**/config/stream', (route) => route.abort())
    await signIn(WRITE)
    await field('pool.max').fill('30')
    await page.getByRole('button', { name: 'Review' }).click()
    await page.locator('table.diff').waitFor()
    await store.set('pool.min', 5, { actor: 'someone else' })
    await page.getByLabel('Reason', { exact: true }).fill('more connections')
    await page.getByRole('button', { name: 'Commit' }).click()
    await page.getByText('Someone else changed the config since you read it').waitFor()
    expect(store.current.pool.max).toBe(10)
    await page.getByRole('button', { name: 'Reload and re-apply' }).click()
    await expect
      .poll(() => page.locator('table.diff tbody td').allTextContents())
      .toEqual(['pool.max', '10', '30'])
    expect(await field('pool.max').inputValue()).toBe('30')
    await page.getByRole('button', { name: 'Commit' }).click()
    await expect.poll(() => store.current.pool).toEqual({ min: 5, max: 30 })
  })

  it('gives a read token no edit controls', async () => {
    await signIn(READ)
    await expect.poll(() => leaf('pool.max').locator('.value').textContent()).toBe('10')
    expect(await page.locator('main input:not(#filter), main select, main textarea').count()).toBe(0)
    expect(await page.getByRole('button', { name: 'Review' }).count()).toBe(0)
    await page.getByRole('button', { name: 'Snapshots' }).click()
    expect(await page.getByRole('button', { name: 'Create snapshot' }).count()).toBe(0)
  })

  it('shows a markup value as text', async () => {
    await store.set('name', XSS)
    await signIn(ADMIN)
    await expect.poll(() => leaf('name').locator('.value').textContent()).toBe(JSON.stringify(XSS))
    expect(await field('name').inputValue()).toBe(XSS)
    expect(await page.locator('main img').count()).toBe(0)
    await page.getByRole('button', { name: 'History' }).click()
    await expect.poll(() => page.locator('ol.history').textContent()).toContain(XSS)
    expect(await page.locator('img').count()).toBe(0)
  })

  it('gives every control a label or an accessible name, on every view', async () => {
    await store.set('pool.max', 11, { probation: { forMs: 60_000 } }) // Status then has its buttons
    await signIn(ADMIN)
    await leaf('pool.max').waitFor()
    expect(await unnamedControls()).toEqual([])
    for (const view of ['History', 'Snapshots', 'Status']) {
      await page.getByRole('button', { name: view, exact: true }).click()
      await page.locator(`section[aria-labelledby="${view.toLowerCase()}-title"] li`).first().waitFor()
      expect(await unnamedControls(), view).toEqual([])
    }
  })

  it('commits with the keyboard alone', async () => {
    await page.goto(url)
    await page.keyboard.type(WRITE) // the token field has focus on load
    await page.keyboard.press('Enter')
    await page.getByText(/^Signed in as/).waitFor()
    await tabTo('#edit-pool\\.max')
    await page.keyboard.press('ControlOrMeta+a')
    await page.keyboard.type('42')
    await tabTo('#reason')
    await page.keyboard.type('keyboard only')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Enter') // Review
    await page.locator('table.diff').waitFor()
    await page.keyboard.press('Tab')
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Commit')
    await page.keyboard.press('Enter')
    await expect.poll(() => store.current.pool.max).toBe(42)
    expect(store.history({ limit: 1 })[0]?.reason).toBe('keyboard only')
  })

  it('commits a change that expires, and shows its deadline in explain and status (#20)', async () => {
    await signIn(WRITE)
    await field('pool.max').fill('30')
    await page.getByLabel('Expires after (optional)').fill('15m')
    await page.getByLabel('Reason', { exact: true }).fill('load test')
    await page.getByRole('button', { name: 'Review' }).click()
    await page.getByRole('button', { name: 'Commit' }).click()
    await page.getByText('Committed: revision 2.').waitFor()
    const [expiring] = store.status().expiring
    expect(expiring).toMatchObject({ path: 'pool.max', revision: 2, actor: 'writer' })
    const left = expiring!.at.getTime() - Date.now()
    expect(left).toBeGreaterThan(14 * 60_000)
    expect(left).toBeLessThanOrEqual(15 * 60_000)

    await page.getByRole('button', { name: 'Explain pool.max' }).click()
    await expect
      .poll(() => page.locator('[id="explain-pool.max"]').textContent())
      .toContain('(set at revision 2)')
    await page.getByRole('button', { name: 'Status' }).click()
    const status = page.locator('section[aria-labelledby="status-title"]')
    await expect.poll(() => status.textContent()).toMatch(/pool\.max: reset .* \(set at revision 2\)/)
  })

  it('commits a change on probation, lists it in status and reverts it there with a reason (#20)', async () => {
    // No live updates: the status view has to refresh itself after the button.
    await context.route('**/config/stream', (route) => route.abort())
    await signIn(WRITE)
    await field('pool.max').fill('30')
    await page.getByLabel('Expires after (optional)').fill('15m')
    await page.getByLabel('Probation (optional)').fill('5m')
    await page.getByLabel('Reason', { exact: true }).fill('bigger pool')
    await page.getByRole('button', { name: 'Review' }).click()
    await page.getByRole('button', { name: 'Commit' }).click()
    await page.getByText('Committed: revision 2.').waitFor()
    // Both durations travel together: the override expires and the change is on probation.
    expect(store.status().expiring).toMatchObject([{ path: 'pool.max', revision: 2 }])
    const [pending] = store.status().probation
    expect(pending).toMatchObject({ revision: 2, source: 'http', actor: 'writer', paths: ['pool.max'] })
    expect(pending!.until.getTime() - Date.now()).toBeGreaterThan(4 * 60_000)
    expect(await page.getByLabel('Probation (optional)').inputValue()).toBe('')

    await page.getByRole('button', { name: 'Status' }).click()
    const row = page.locator('ul.probation > li')
    await expect.poll(() => row.textContent()).toMatch(/^r2 · http · writer · until .+ · pool\.max/)
    await page.getByRole('button', { name: 'Revert revision 2' }).click()
    const dialog = page.getByRole('dialog', { name: 'Revert revision 2' })
    await dialog.getByRole('button', { name: 'Revert' }).click()
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('reason is required')
    await dialog.getByLabel('Reason').fill('p99 doubled')
    await dialog.getByRole('button', { name: 'Revert' }).click()
    await expect.poll(() => store.current.pool.max).toBe(10)
    expect(store.history({ limit: 1 })[0]).toMatchObject({
      revision: 3,
      rollbackOf: 2,
      source: 'probation',
      actor: 'writer',
      reason: 'p99 doubled',
    })
    expect(store.status().probation).toEqual([])
    await expect.poll(() => row.count()).toBe(0)
    await expect.poll(() => page.locator('.announcer').textContent()).toBe('Revision 2 reverted: revision 3')
  })

  it('shows a read token what is on probation with no buttons; an admin confirms, or sees why not (#20)', async () => {
    // No live updates: the page cannot learn of the confirm below before its button is pressed.
    await context.route('**/config/stream', (route) => route.abort())
    await store.set('pool.max', 20, { probation: { forMs: 10 * 60_000 }, actor: 'deploy' })
    await store.set('pool.min', 3, { probation: { forMs: 10 * 60_000 } })
    await signIn(READ)
    await page.getByRole('button', { name: 'Status' }).click()
    const rows = page.locator('ul.probation > li')
    await expect
      .poll(() => rows.allTextContents())
      .toEqual([
        expect.stringMatching(/^r2 · api · deploy · until .+ · pool\.max$/),
        expect.stringMatching(/^r3 · api · until .+ · pool\.min$/),
      ])
    expect(await rows.getByRole('button').count()).toBe(0)

    await page.getByRole('button', { name: 'Sign out' }).click()
    await signIn(ADMIN)
    await page.getByRole('button', { name: 'Status' }).click()
    await rows.nth(1).waitFor()
    await store.confirm(3)
    await page.getByRole('button', { name: 'Confirm revision 3' }).click()
    let dialog = page.getByRole('dialog', { name: 'Confirm revision 3' })
    await dialog.getByLabel('Reason').fill('looks healthy')
    await dialog.getByRole('button', { name: 'Confirm' }).click()
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('not on probation')
    await expect.poll(() => rows.count()).toBe(1) // the view read the status again behind the dialog
    await dialog.getByRole('button', { name: 'Cancel' }).click()

    await page.getByRole('button', { name: 'Confirm revision 2' }).click()
    dialog = page.getByRole('dialog', { name: 'Confirm revision 2' })
    await dialog.getByLabel('Reason').fill('looks healthy')
    await dialog.getByRole('button', { name: 'Confirm' }).click()
    await expect.poll(() => store.status().probation).toEqual([])
    expect(store.current.pool).toEqual({ min: 3, max: 20 })
    expect(store.history({ limit: 1 })[0]).toMatchObject({ actor: 'boss', reason: 'looks healthy' })
    await expect.poll(() => rows.count()).toBe(0)
    await expect.poll(() => page.locator('.announcer').textContent()).toBe('Revision 2 confirmed: revision 5')
  })

  it('follows a probation that ends on its own, and runs the checks on demand (#20)', async () => {
    let healthy = true
    await store.set('pool.max', 20, { probation: { forMs: 800 } })
    await store.set('pool.min', 3, { probation: { forMs: 60_000, check: () => healthy } })
    await signIn(READ)
    await page.getByRole('button', { name: 'Status' }).click()
    const rows = page.locator('ul.probation > li')
    await expect.poll(() => rows.count()).toBe(2)
    expect(await page.getByRole('button', { name: 'Run the checks now' }).count()).toBe(0)
    // Confirmed when its time is up: a commit of no change, which the live stream still carries.
    await expect
      .poll(() => rows.allTextContents(), { timeout: 5000 })
      .toEqual([expect.stringMatching(/^r3 /)])

    await page.getByRole('button', { name: 'Sign out' }).click()
    await signIn(WRITE)
    await page.getByRole('button', { name: 'Status' }).click()
    await page.getByRole('button', { name: 'Run the checks now' }).click()
    await expect
      .poll(() => page.locator('.announcer').textContent())
      .toBe('The checks ran: 1 change is on probation')
    healthy = false
    await page.getByRole('button', { name: 'Run the checks now' }).click()
    await expect.poll(() => store.current.pool.min).toBe(2)
    await expect.poll(() => rows.count()).toBe(0)
    expect(store.history({ limit: 1 })[0]).toMatchObject({ source: 'probation', rollbackOf: 3 })
  })

  it('shows the status: revision, environment, adapters', async () => {
    await signIn(READ)
    await page.getByRole('button', { name: 'Status' }).click()
    const status = page.locator('section[aria-labelledby="status-title"]')
    await expect.poll(() => status.textContent()).toContain('Environmenttest')
    expect(await status.textContent()).toMatch(/http: running/)
  })

  it.runIf(process.env.HOTCONF_CONSOLE_SCREENSHOT)(
    'takes the README screenshot (docs/console.png)',
    async () => {
      await store.set('tags', ['eu-west', 'canary'], { actor: 'deploy', reason: 'canary rollout' })
      await page.setViewportSize({ width: 1200, height: 760 })
      await signIn(ADMIN)
      await field('pool.max').fill('25')
      await field('mode').selectOption('"fast"')
      await page.getByLabel('Reason', { exact: true }).fill('traffic spike')
      await page.getByRole('button', { name: 'Review' }).click()
      await page.locator('table.diff').waitFor()
      await page.getByRole('button', { name: 'Explain pool.max' }).click()
      await page.locator('[id="explain-pool.max"] code').first().waitFor()
      await page.screenshot({ path: new URL('../../docs/console.png', import.meta.url).pathname })
    },
  )

  it('paints the first screen within 300 ms on loopback (median of 10 loads)', async () => {
    await page.goto(url) // from source, the first request bundles the page: not what a user of the package waits for
    const paints: number[] = []
    for (let i = 0; i < 10; i++) {
      await page.goto(url)
      await page.getByLabel('Token').waitFor()
      paints.push(
        (await page.evaluate(
          "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Infinity",
        )) as number,
      )
    }
    const median = paints.sort((a, b) => a - b)[5] ?? Number.POSITIVE_INFINITY
    const load = loadavg()[0] ?? 0
    console.info(
      `console first contentful paint: median ${median.toFixed(0)} ms (${paints.map(Math.round).join(', ')}), load ${load.toFixed(1)} on ${cpus().length} CPUs`,
    )
    // The budget is for a machine with a CPU to spare; on one running several times its cores' worth of work the
    // figure measures the queue, so it is reported (above) but not held against the page.
    if (load <= cpus().length) expect(median).toBeLessThanOrEqual(300)
  })
})

/** The controls on the page with neither a label, an `aria-label` nor text. */
function unnamedControls(): Promise<string[]> {
  return page.evaluate(`[...document.querySelectorAll('input, select, textarea, button')]
    .filter((e) => !(e.labels?.length || e.getAttribute('aria-label') || e.textContent.trim()))
    .map((e) => e.outerHTML)`)
}

/** Presses Tab until the element matching `selector` has focus (at most 60 times). */
async function tabTo(selector: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab')
    if (await page.evaluate(`document.activeElement?.matches(${JSON.stringify(selector)})`)) return
  }
  throw new Error(`Tab never reached ${selector}`)
}
