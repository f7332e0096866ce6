import { readFile, writeFile } from 'node:fs/promises'
import { userInfo } from 'node:os'
import { type FlagValues, parseCommandArgs, positionals, stringFlag } from '../args.ts'
import { COMMANDS, ONLINE_OPTIONS } from '../commands.ts'
import { EXIT, usage } from '../exit.ts'
import type { CliIo } from '../io.ts'
import { ApiFailure, type Connection, call, connectionOf } from './connection.ts'
import { composeChanges } from './diff-history.ts'
import { changeLines, type HistoryRecord, recordHeading, showValue, writeSummary } from './format.ts'
import { followChanges } from './watch.ts'

/** Runs an online command: parse its flags, connect, call the API, print. */
export async function runOnline(name: string, args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals: rest } = parseCommandArgs(args, flagsOf(name))
  const ctx: OnlineContext = {
    io,
    values,
    args: rest,
    json: values.json === true,
    conn: await connectionOf({ url: stringFlag(values, 'url'), token: stringFlag(values, 'token') }, io.env),
  }
  try {
    await HANDLERS[name]!(ctx)
    return EXIT.ok
  } catch (error) {
    if (ctx.json && error instanceof ApiFailure) io.out(JSON.stringify(error.problem, null, 2))
    throw error
  }
}

// --- internal ---

interface OnlineContext {
  readonly io: CliIo
  readonly conn: Connection
  readonly values: FlagValues
  readonly args: readonly string[]
  readonly json: boolean
}

const FLAGS = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  reason: { type: 'string' },
  actor: { type: 'string' },
  'if-revision': { type: 'string' },
  file: { type: 'string', short: 'f' },
  limit: { type: 'string' },
  label: { type: 'string' },
  tag: { type: 'string', multiple: true },
  out: { type: 'string' },
  'include-secrets': { type: 'boolean' },
  ttl: { type: 'string' },
  probation: { type: 'string' },
} as const

/** The flags a command's help lists, so parsing and help cannot drift apart. */
function flagsOf(name: string): Partial<typeof FLAGS> {
  const listed = [...(COMMANDS[name]?.options ?? []), ...ONLINE_OPTIONS].map(
    ([flag]) => /--([\w-]+)/.exec(flag)?.[1],
  )
  return Object.fromEntries(Object.entries(FLAGS).filter(([key]) => listed.includes(key)))
}

const HANDLERS: Readonly<Record<string, (ctx: OnlineContext) => Promise<void>>> = {
  async get(ctx) {
    const [path] = positionals(ctx.args, 0, 1, 'path')
    const { body } = await call(
      ctx.conn,
      'GET',
      path === undefined ? '' : `/values/${encodeURIComponent(path)}`,
    )
    print(ctx, body, () => [showValue(body)])
  },
  async set(ctx) {
    const [path = '', raw = ''] = positionals(ctx.args, 2, 2, 'path and value')
    const headers = reasonHeader(ctx, true)
    const route = `/values/${encodeURIComponent(path)}${durationParams(ctx)}`
    await write(ctx, 'PUT', route, { body: jsonOrString(raw), headers })
  },
  async patch(ctx) {
    positionals(ctx.args, 0, 0, '')
    const patch = await readJsonInput(ctx, stringFlag(ctx.values, 'file'))
    const headers = reasonHeader(ctx, true)
    const init = { body: patch, headers, contentType: 'application/merge-patch+json' }
    await write(ctx, 'PATCH', durationParams(ctx), init)
  },
  async validate(ctx) {
    positionals(ctx.args, 0, 0, '')
    const patch = await readJsonInput(ctx, stringFlag(ctx.values, 'file'))
    const { body } = await call(ctx.conn, 'POST', '/validate', { body: patch })
    const changes = (body as { changes?: HistoryRecord['changes'] }).changes ?? []
    print(ctx, body, () =>
      changes.length
        ? ['valid; it would change:', ...changeLines(ctx.io, changes, '  ')]
        : ['valid; it changes nothing'],
    )
  },
  async diff(ctx) {
    const [from, to] = positionals(ctx.args, 1, 2, 'revision').map((r) => revisionArg(r))
    const history = (await call(ctx.conn, 'GET', '/history')).body as HistoryRecord[]
    const live = to ?? Math.max(0, ...history.map((h) => h.revision))
    const changes = composeChanges(history, from ?? 0, live)
    print(ctx, { from, to: live, changes }, () =>
      changes.length ? changeLines(ctx.io, changes) : [`no difference between #${from} and #${live}`],
    )
  },
  history: (ctx) => records(ctx, '/history'),
  events: (ctx) => records(ctx, '/events'),
  async rollback(ctx) {
    const [target = ''] = positionals(ctx.args, 1, 1, 'revision or snapshot id')
    const body = /^\d+$/.test(target) ? { revision: Number(target) } : { snapshot: target }
    await write(ctx, 'POST', '/rollback', { body: { ...body, ...envelope(ctx, true) } })
  },
  async snapshot(ctx) {
    positionals(ctx.args, 0, 0, '')
    const label = stringFlag(ctx.values, 'label')
    const tag = ctx.values.tag as string[] | undefined
    const { body } = await call(ctx.conn, 'POST', '/snapshots', {
      body: { ...(label ? { label } : {}), ...(tag ? { tags: tag } : {}) },
    })
    const snap = body as { id: string; revision: number }
    print(ctx, body, () => [`snapshot ${snap.id} pins #${snap.revision} (hotconf rollback ${snap.id})`])
  },
  async snapshots(ctx) {
    positionals(ctx.args, 0, 0, '')
    const tag = ctx.values.tag as string[] | undefined
    const query = tag?.[0] === undefined ? '' : `?tag=${encodeURIComponent(tag[0])}`
    const { body } = await call(ctx.conn, 'GET', `/snapshots${query}`)
    const list = body as { id: string; revision: number; at: string; label?: string; tags: string[] }[]
    print(ctx, body, () =>
      list.length
        ? list.map((s) =>
            [s.id, `#${s.revision}`, s.at, s.label ?? '', s.tags.join(',')].filter(Boolean).join('  '),
          )
        : ['no snapshots'],
    )
  },
  async export(ctx) {
    positionals(ctx.args, 0, 0, '')
    const query = ctx.values['include-secrets'] ? '?includeSecrets=true' : ''
    const { body } = await call(ctx.conn, 'GET', `/export${query}`)
    const text = JSON.stringify(body, null, 2)
    const out = stringFlag(ctx.values, 'out')
    if (out !== undefined) await writeFile(out, `${text}\n`, { mode: 0o600 })
    else ctx.io.out(text)
  },
  async import(ctx) {
    const [file = ''] = positionals(ctx.args, 1, 1, 'export file')
    const doc = await readJsonInput(ctx, file)
    const config = (doc as { config?: unknown } | null)?.config
    if (typeof config !== 'object' || config === null)
      throw usage(`${file} is not an export document: { "config": { ... } }`)
    await write(ctx, 'POST', '/import', { body: { config, ...envelope(ctx, true) } })
  },
  async reload(ctx) {
    positionals(ctx.args, 0, 0, '')
    await write(ctx, 'POST', '/reload', { body: envelope(ctx, false) })
  },
  async reset(ctx) {
    const [path] = positionals(ctx.args, 0, 1, 'path')
    await write(ctx, 'POST', '/reset', { body: { ...(path ? { path } : {}), ...envelope(ctx, true) } })
  },
  async probation(ctx) {
    const [action, revision] = positionals(ctx.args, 0, 2, 'check, or confirm|revert and a revision')
    if (action === undefined || (action === 'check' && revision === undefined)) {
      // `check` runs the service's checks first; either way what is on probation then is listed.
      const { body } =
        action === 'check'
          ? await call(ctx.conn, 'POST', '/probation/check')
          : await call(ctx.conn, 'GET', '/status')
      const list = (body as Pick<Status, 'probation'>).probation ?? []
      print(ctx, list, () => (list.length ? list.map(probationLine) : ['nothing is on probation']))
      return
    }
    if ((action !== 'confirm' && action !== 'revert') || revision === undefined)
      throw usage('hotconf probation takes no argument, check, or confirm|revert and a revision')
    const route = `/probation/${revisionArg(revision)}/${action}`
    await write(ctx, 'POST', route, { body: envelope(ctx, true) })
  },
  async status(ctx) {
    positionals(ctx.args, 0, 0, '')
    const { body } = await call(ctx.conn, 'GET', '/status')
    print(ctx, body, () => statusLines(body as Status))
  },
  async watch(ctx) {
    positionals(ctx.args, 0, 0, '')
    await followChanges(ctx.conn, ctx.io, ctx.json)
  },
}

function print(ctx: OnlineContext, body: unknown, human: () => string[]): void {
  ctx.io.out(ctx.json ? JSON.stringify(body, null, 2) : human().join('\n'))
}

async function write(
  ctx: OnlineContext,
  method: string,
  path: string,
  init: Parameters<typeof call>[3],
): Promise<void> {
  const headers = { ...init?.headers, ...(await ifMatch(ctx)) }
  const { body } = await call(ctx.conn, method, path, { ...init, headers })
  print(ctx, body, () => writeSummary(ctx.io, body as Parameters<typeof writeSummary>[1]))
}

async function records(ctx: OnlineContext, route: string): Promise<void> {
  positionals(ctx.args, 0, 0, '')
  const limit = stringFlag(ctx.values, 'limit')
  if (limit !== undefined && !/^[1-9]\d{0,5}$/.test(limit))
    throw usage('--limit must be an integer from 1 to 999999')
  const { body } = await call(ctx.conn, 'GET', `${route}${limit ? `?limit=${limit}` : ''}`)
  const list = body as (HistoryRecord & { errors?: { path: string; message: string }[] })[]
  print(ctx, body, () =>
    list.flatMap((r) => [
      recordHeading(ctx.io, r),
      ...changeLines(ctx.io, r.changes, '  '),
      ...(r.errors ?? []).map((e) => `  ! ${e.path || '(root)'}: ${e.message}`),
    ]),
  )
}

/** Why and who, as the reason the API records: `cli:<actor>: <reason>`. */
function reasonOf(ctx: OnlineContext, required: boolean): string | undefined {
  const reason = stringFlag(ctx.values, 'reason')
  if (required && !reason)
    throw usage('--reason is required: say why, it goes into history and the audit log')
  const actor = stringFlag(ctx.values, 'actor') || ctx.io.env.HOTCONF_ACTOR || userName()
  const who = actor ? `cli:${actor}` : 'cli'
  return reason ? `${who}: ${reason}` : who
}

/** `X-Reason` for the writes whose body is all config (`PUT`, `PATCH`). */
function reasonHeader(ctx: OnlineContext, required: boolean): Record<string, string> {
  const reason = reasonOf(ctx, required) ?? ''
  // A header carries bytes: a reason beyond Latin-1 would not arrive as written.
  if (/[^\u0020-\u00ff]/.test(reason))
    throw usage('--reason must be printable Latin-1 text for set and patch (it travels in a header)')
  return { 'x-reason': reason }
}

/** `?ttl=` and `?probation=` for `--ttl` and `--probation`, checked by the server (a 400 says what it accepts). */
function durationParams(ctx: OnlineContext): string {
  const query = new URLSearchParams()
  for (const name of ['ttl', 'probation']) {
    const value = stringFlag(ctx.values, name)
    if (value !== undefined) query.set(name, value)
  }
  const text = query.toString()
  return text === '' ? '' : `?${text}`
}

/** `reason` in the body of the envelope routes (rollback, reset, reload, import). */
function envelope(ctx: OnlineContext, required: boolean): { reason?: string } {
  const reason = reasonOf(ctx, required)
  return reason === undefined ? {} : { reason }
}

/** `--if-revision n` as the ETag of revision n of this very service, whose incarnation a `HEAD` names. */
async function ifMatch(ctx: OnlineContext): Promise<Record<string, string>> {
  const raw = stringFlag(ctx.values, 'if-revision')
  if (raw === undefined) return {}
  const revision = revisionArg(raw)
  const etag = (await call(ctx.conn, 'HEAD', '')).headers.etag ?? ''
  const incarnation = /^"(.+)-\d+"$/.exec(etag)?.[1]
  if (incarnation === undefined)
    throw new ApiFailure(
      EXIT.unreachable,
      `the service sent no usable ETag (${etag.slice(0, 40)})`,
      undefined,
    )
  return { 'if-match': `"${incarnation}-${revision}"` }
}

function revisionArg(raw: string): number {
  if (!/^\d{1,15}$/.test(raw)) throw usage(`"${raw.slice(0, 40)}" is not a revision number`)
  return Number(raw)
}

function jsonOrString(raw: string): unknown {
  try {
    return JSON.parse(raw)
  } catch {
    return raw
  }
}

async function readJsonInput(ctx: OnlineContext, file: string | undefined): Promise<unknown> {
  const from = file === undefined || file === '-' ? 'standard input' : file
  let text: string
  try {
    text = from === 'standard input' ? await ctx.io.stdin() : await readFile(from, 'utf8')
  } catch (error) {
    throw usage(`cannot read ${from}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    throw usage(`${from} is not JSON: ${(error as Error).message}`)
  }
}

function userName(): string | undefined {
  try {
    return userInfo().username
  } catch {
    return undefined
  }
}

interface Status {
  readonly revision: number
  readonly environment: string
  readonly updatedAt: string
  readonly pendingRestart: readonly { path: string; live: unknown; next: unknown }[]
  readonly adapters: readonly { name: string; state: string; lastError?: string }[]
  readonly sources: readonly { name: string }[]
  readonly warnings: readonly { code: string; message: string }[]
  readonly expiring?: readonly { path: string; at: string; revision: number }[]
  readonly probation?: readonly Probation[]
}

interface Probation {
  readonly revision: number
  readonly until: string
  readonly source: string
  readonly paths: readonly string[]
}

function probationLine(p: Probation): string {
  return `#${p.revision} (${p.source}) until ${p.until}: ${p.paths.join(', ')}`
}

function statusLines(s: Status): string[] {
  return [
    `revision     #${s.revision} (${s.updatedAt})`,
    `environment  ${s.environment}`,
    `sources      ${s.sources.map((x) => x.name).join(', ') || '(none)'}`,
    `adapters     ${s.adapters.map((a) => `${a.name} ${a.state}${a.lastError ? ` (${a.lastError})` : ''}`).join(', ') || '(none)'}`,
    ...s.pendingRestart.map(
      (p) => `restart      ${p.path}: ${JSON.stringify(p.live)} → ${JSON.stringify(p.next)} after a restart`,
    ),
    ...(s.expiring ?? []).map((e) => `expires      ${e.path} at ${e.at} (set at #${e.revision})`),
    ...(s.probation ?? []).map((p) => `probation    ${probationLine(p)}`),
    ...s.warnings.map((w) => `warning      ${w.code}: ${w.message}`),
  ]
}
