import './style.css'
import { createApi } from './api.ts'
import type { ChangeSet } from './changes.ts'
import { createConfigView } from './config-view.ts'
import { fill, h } from './dom.ts'
import { createHistoryView, createSnapshotsView, type ListView } from './history-view.ts'
import { follow } from './live.ts'
import type { Session } from './session.ts'
import { createStatusView } from './status-view.ts'

// sessionStorage, not localStorage: the token leaves with the tab, and it never goes into a URL.
const TOKEN_KEY = 'hotconf.token'
const root = document.getElementById('app')!
let stop = () => {}

const token = sessionStorage.getItem(TOKEN_KEY)
if (token) void start(token)
else signIn()

function signIn(message?: string): void {
  const input = h('input', { id: 'token', type: 'password', autocomplete: 'off', required: true })
  const note = h('p', { class: 'error', role: 'alert', id: 'sign-in-error' }, message ?? '')
  input.setAttribute('aria-describedby', 'sign-in-error')
  const form = h(
    'form',
    { class: 'sign-in', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'Sign in'),
    h('p', {}, 'Paste an admin token of this service. It is kept in this tab only, until you sign out.'),
    h('label', { for: 'token' }, 'Token'),
    input,
    note,
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
  )
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const reply = await createApi(input.value.trim(), () => {}).call<Session>('GET', 'session')
    if (!reply.ok) {
      fill(note, reply.problem.status === 401 ? 'That token was refused.' : reply.problem.detail)
      return input.focus()
    }
    sessionStorage.setItem(TOKEN_KEY, input.value.trim())
    await start(input.value.trim())
  })
  fill(root, form)
  input.focus()
}

function signOut(message?: string): void {
  stop()
  sessionStorage.removeItem(TOKEN_KEY)
  signIn(message)
}

async function start(token: string): Promise<void> {
  let ended = false
  const unauthorized = () => {
    if (ended) return
    ended = true
    signOut('The server refused the token (401): sign in again.')
  }
  const api = createApi(token, unauthorized)
  const reply = await api.call<Session>('GET', 'session')
  if (!reply.ok) return reply.problem.status === 401 ? undefined : signIn(reply.problem.detail)
  const session = reply.value
  const announcer = h('p', { class: 'announcer', role: 'status', 'aria-live': 'polite' })
  const announce = (text: string) => fill(announcer, text)
  const config = createConfigView(api, session, announce)
  const views: Record<string, ListView> = {
    Config: config,
    History: createHistoryView(api, session, announce),
    Snapshots: createSnapshotsView(api, session, announce),
    Status: createStatusView(api, session, announce),
  }
  const liveState = h('span', { class: 'live-state' }, 'connecting…')
  const tabs = Object.keys(views).map((name) =>
    h(
      'button',
      { type: 'button', 'aria-pressed': name === 'Config' ? 'true' : 'false', onclick: () => show(name) },
      name,
    ),
  )
  const show = (name: string) => {
    for (const [n, view] of Object.entries(views)) view.element.hidden = n !== name
    for (const tab of tabs) tab.setAttribute('aria-pressed', String(tab.textContent === name))
    void views[name]?.reload()
  }
  fill(
    root,
    h(
      'div',
      { class: 'session' },
      h('span', {}, `Signed in as ${session.name} (${session.role})`),
      liveState,
      h('button', { type: 'button', onclick: () => signOut() }, 'Sign out'),
    ),
    h('nav', { 'aria-label': 'Sections' }, tabs),
    announcer,
    Object.values(views).map((v) => v.element),
  )
  show('Config')
  stop = follow(
    api,
    (event) => void onLive(event, config, views, announce),
    (live) => fill(liveState, live ? '● live' : '○ reconnecting…'),
    unauthorized,
  )
}

async function onLive(
  event: { name: string; data: unknown },
  config: ReturnType<typeof createConfigView>,
  views: Record<string, ListView>,
  announce: (text: string) => void,
): Promise<void> {
  if (event.name === 'change') {
    const changeSet = event.data as ChangeSet
    announce(
      `Revision ${changeSet.revision} (${changeSet.source}${changeSet.actor ? `, ${changeSet.actor}` : ''}): ${changeSet.changes.map((c) => c.path).join(', ')} changed`,
    )
    await config.changed(changeSet)
  } else if (event.name === 'resync') await config.reload()
  else return
  for (const [name, view] of Object.entries(views))
    if (name !== 'Config' && !view.element.hidden) await view.reload()
}
