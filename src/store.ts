import { freeze, Immer } from 'immer'
import type { z } from 'zod'
import { AdapterHost } from './adapter-host.ts'
import { publishTransactions } from './diagnostics.ts'
import { messageOf } from './error-message.ts'
import { ConfigError, issue } from './errors.ts'
import { ConfigHistory } from './history.ts'
import {
  attributeIssues,
  type LayerState,
  loadOverrides,
  loadSources,
  mergeLayerState,
  parkedMessage,
  parkOverrides,
  sourceWarnings,
} from './layers.ts'
import { LiveStore } from './live-store.ts'
import type { PrepareEnv } from './machines/prepare.ts'
import type { Committed } from './machines/transaction.ts'
import { ParticipantSet } from './participants.ts'
import { checkTree } from './schema/check-tree.ts'
import { markedPaths } from './schema/markers.ts'
import { unpersistableAt } from './schema/persistable.ts'
import { createRedactor, type Redactor } from './schema/redactor.ts'
import { StoreCounters } from './stats.ts'
import { type LastGood, openStoreFiles } from './store-files.ts'
import { StoreStreams } from './streams.ts'
import { findForbiddenKeys } from './tree/forbidden.ts'
import { isPlainObject } from './tree/paths.ts'
import type { ConfigIssue, ConfigStore, ConfigStoreOptions, Logger, WarningCode } from './types.ts'

/**
 * Creates a live configuration store: loads every layer, validates the result against the schema, and from then on
 * runs every change as a transaction. Rejects with a `ConfigError` listing every issue when the config is invalid.
 *
 * @example
 * const store = await createConfigStore({
 *   schema: z.object({ pool: z.object({ max: z.number().int().default(10) }) }),
 *   initial: { pool: { max: 5 } },
 * })
 * await store.set('pool.max', 20, { actor: 'ops', reason: 'traffic spike' })
 */
export async function createConfigStore<TSchema extends z.ZodObject>(
  options: ConfigStoreOptions<TSchema>,
): Promise<ConfigStore<z.output<TSchema>>> {
  type TConfig = z.output<TSchema>
  const {
    schema,
    environment = process.env.NODE_ENV ?? 'development',
    sources = [],
    historyLimit = 100,
    eventsLimit = 100,
    participantTimeoutMs = 5000,
    persistTimeoutMs = 5000,
    loadTimeoutMs = 10_000,
    logger = consoleLogger,
    clock = () => new Date(),
  } = options
  checkOptions(options, { historyLimit, eventsLimit, participantTimeoutMs, persistTimeoutMs, loadTimeoutMs })
  const marks = markedPaths(schema)
  const redactor = createRedactor(schema)
  const immer = new Immer({ autoFreeze: true })
  const initial = options.initial ?? {}
  const forbidden = findForbiddenKeys(initial, '')
  if (forbidden.length > 0) throw new ConfigError(forbidden)
  const files = openStoreFiles(options as ConfigStoreOptions<never>, logger)
  // Until the store exists, a failed start releases the files (and a backend's connection) before it rejects.
  const failed = async (error: unknown): Promise<never> => {
    await files.close().catch(() => {})
    throw error
  }
  const { backend } = files
  const warnings: { code: WarningCode; message: string }[] = []
  const report = (code: WarningCode, message: string) => {
    warnings.push({ code, message })
  }
  // Into `warnings` until the store exists, then straight to `store.warn`.
  let reportSource = report
  const warnSources = sourceWarnings((code, message) => reportSource(code, message))

  const defaults = checkTree(schema, {}, undefined, []) as Record<string, unknown>
  const persisted = backend
    ? await loadOverrides(
        backend,
        { environment, report: (w) => report(w.code, w.message) },
        loadTimeoutMs,
      ).catch(failed)
    : undefined
  const base = {
    defaults,
    initial: initial as Record<string, unknown>,
    overrides: persisted?.overrides ?? {},
    parked: {},
  }
  // Read up front for its revision; a failed read matters only if the store has to start on it (below).
  const goodRead = await files.lastGood
    ?.read((w) => report(w.code, w.message))
    .then(
      (doc) => ({ doc }),
      (error: unknown) => ({ error }),
    )
  const pinned =
    (await files.snapshots?.read((w) => report(w.code, w.message)).catch(failed))?.snapshots ?? []
  // Revisions continue after every one persisted before (ETags and audit lines never repeat one).
  const revision =
    1 +
    Math.max(
      persisted?.revision ?? 0,
      (goodRead && 'doc' in goodRead ? goodRead.doc?.revision : undefined) ?? 0,
      await files.lastAuditRevision().catch(failed),
      ...pinned.map((s) => s.snapshot.revision),
    )
  let start: { config: TConfig; layers: LayerState }
  try {
    const loaded = await loadSources(sources, { environment, schema }, loadTimeoutMs)
    warnSources(loaded)
    start = validateStart<TConfig>(schema, { ...base, sources: loaded }, redactor, report)
  } catch (error) {
    // A missing package is a set-up error: the last good config cannot stand in for it.
    let good: LastGood | undefined
    try {
      good =
        error instanceof ConfigError && !error.issues.some((i) => i.code === 'MISSING_DEPENDENCY')
          ? lastGoodOrThrow(goodRead, error)
          : undefined
    } catch (both) {
      return failed(both)
    }
    if (!good) return failed(error)
    // Loud, not silent: the service comes up on what worked last time and says why it had to.
    report(
      'LAST_KNOWN_GOOD',
      `starting on the last known good config (revision ${good.revision}, saved ${good.savedAt}) because: ${(error as Error).message}`,
    )
    start = {
      config: freeze(await checkOrThrow<TConfig>(schema, good.config, redactor).catch(failed), true),
      layers: { ...base, sources: [] },
    }
  }
  const { config, layers: valid } = start

  const counters = new StoreCounters()
  let reportingObserverError = false
  const hooks = {
    observers: 0,
    onObserverError(error: unknown) {
      counters.observerErrors++
      const message = `an observer threw: ${redactor.scrub(messageOf(error), store.current)}`
      // An events$ observer that throws on every event would throw on this warning too: report once, not forever.
      if (reportingObserverError) return logger.error(message)
      reportingObserverError = true
      try {
        store.warn('OBSERVER_FAILED', message)
      } finally {
        reportingObserverError = false
      }
    },
  }
  const first: Committed<TConfig> = { config, revision, layers: valid, at: clock(), pendingRestart: [] }
  const history = new ConfigHistory<TConfig>(historyLimit, first)
  for (const stored of pinned) {
    const issues: ConfigIssue[] = []
    const restored = checkTree(schema, stored.config, undefined, issues)
    if (issues.length > 0) report('INVALID', `dropped snapshot ${stored.snapshot.id}: it no longer validates`)
    else history.restore(stored.snapshot, freeze(restored, true) as TConfig)
  }
  const lastGood = files.lastGood
  let lastGoodWrite: Promise<void> = Promise.resolve()
  const env: PrepareEnv<TConfig> = {
    schema,
    immer,
    redactor,
    restartPaths: marks.restart,
    sources,
    backend,
    environment,
    loadTimeoutMs,
    report: (code, message) => store.warn(code, message),
    warnSources,
    lookup: (target) => history.configAt(target),
  }
  const store: LiveStore<TConfig> = new LiveStore<TConfig>({
    schema: schema as unknown as z.ZodType<TConfig>,
    environment,
    initial: first,
    env,
    immer,
    redactor,
    history,
    participants: new ParticipantSet(participantTimeoutMs, (message, configs) =>
      // The refused candidate is not live: its secrets are scrubbed here, the live ones by `warn`.
      store.warn('COMPENSATION_FAILED', redactor.scrub(message, ...configs)),
    ),
    persistTimeoutMs,
    streams: new StoreStreams<TConfig>(config, hooks),
    counters,
    backend,
    logger,
    clock,
    eventsLimit,
    ...(options.inspect ? { inspect: options.inspect } : {}),
    extraSources: backend ? [{ name: backend.name, files: backend.files ?? [] }] : [],
    hooks: {
      onOutcome: (record) => files.audit({ ...record, environment }),
      onCommit: lastGood
        ? (committed) => {
            // Latest wins: chained so an older config never lands after a newer one.
            lastGoodWrite = lastGoodWrite
              .then(() =>
                lastGood.write({
                  revision: committed.revision,
                  savedAt: committed.at.toISOString(),
                  config: committed.config as Record<string, unknown>,
                }),
              )
              .catch((error: unknown) => logger.error(`cannot write ${lastGood.path}: ${messageOf(error)}`))
          }
        : undefined,
      onSnapshots: files.snapshots
        ? () => files.snapshots!.write({ snapshots: history.pinnedEntries() })
        : undefined,
      beforeClose: (): Promise<void> => adapters.dispose(),
      onClose: async () => {
        await lastGoodWrite
        await files.close()
      },
    },
  })
  const api = store as unknown as ConfigStore<TConfig>
  publishTransactions(api)
  const adapters: AdapterHost<TConfig> = new AdapterHost<TConfig>(
    {
      api,
      slot: (name, optional) => store.adapterSlot(name, optional),
      scrub: (text) => redactor.scrub(text, store.current),
    },
    // Adapters log what they read (a file, an etcd value, a request): scrubbed like every message that leaves.
    scrubbedLogger(logger, (text) => redactor.scrub(text, store.current)),
  )
  for (const w of warnings) store.warn(w.code, w.message)
  reportSource = (code, message) => store.warn(code, message)
  try {
    await adapters.start(options.adapters ?? [])
  } catch (error) {
    await store.close()
    throw error
  }
  return api
}

// --- internal ---

const consoleLogger: Logger = {
  debug() {},
  info() {},
  warn: (msg, data) => console.warn(`[hotconf] ${msg}`, ...(data ? [data] : [])),
  error: (msg, data) => console.error(`[hotconf] ${msg}`, ...(data ? [data] : [])),
}

function scrubbedLogger(logger: Logger, scrub: (text: string) => string): Logger {
  return {
    debug: (msg, data) => logger.debug(scrub(msg), data),
    info: (msg, data) => logger.info(scrub(msg), data),
    warn: (msg, data) => logger.warn(scrub(msg), data),
    error: (msg, data) => logger.error(scrub(msg), data),
  }
}

function checkOptions(options: ConfigStoreOptions<z.ZodObject>, numbers: Record<string, number>): void {
  const bad = (path: string, message: string) => {
    throw new ConfigError(issue('BAD_OPTIONS', path, message))
  }
  if (!options || typeof options !== 'object')
    bad('', 'createConfigStore needs an options object with a schema')
  const schema: ZodLike = Object(options.schema)
  const built = schema._zod?.version
  if (!schema._zod && schema._def)
    bad('schema', `schema is a zod 3 schema (zod 3 or zod/v3); hotconf needs zod ${ZOD_RANGE}`)
  if (built && !supportedZod(built)) {
    const { major, minor, patch } = built
    bad('schema', `schema was built by zod ${major}.${minor}.${patch}; hotconf needs zod ${ZOD_RANGE}`)
  }
  if (!built || schema._zod?.def?.type !== 'object')
    bad('schema', 'schema must be a zod object schema, e.g. z.object({ ... })')
  const persisted = options.overrides !== undefined || options.lastKnownGood === true
  const odd = persisted ? unpersistableAt(options.schema) : undefined
  if (odd) {
    bad(
      `schema.${odd.path}`,
      `a z.${odd.type}() value at ${odd.path} cannot be persisted (overrides, snapshots, last known good): use a type JSON can hold, or a date, bigint, map or set`,
    )
  }
  if (options.initial !== undefined && !isPlainObject(options.initial))
    bad('initial', 'initial must be a plain object')
  for (const [key, value] of Object.entries(numbers)) {
    if (!Number.isInteger(value) || value < 1)
      bad(key, `${key} must be an integer >= 1, got ${String(value)}`)
  }
}

/** The oldest zod the suite passes with; package.json's `peerDependencies.zod` says the same. */
const ZOD_MIN: ZodVersion = { major: 4, minor: 5, patch: 0 }
const ZOD_RANGE = `^${ZOD_MIN.major}.${ZOD_MIN.minor}.${ZOD_MIN.patch}`

interface ZodVersion {
  readonly major: number
  readonly minor: number
  readonly patch: number
}

/** What any value may say about the zod that built it: zod 4 schemas carry `_zod`, zod 3 ones only `_def`. */
interface ZodLike {
  readonly _zod?: { readonly def?: { readonly type?: unknown }; readonly version?: ZodVersion }
  readonly _def?: unknown
}

/** Within the peer range: ZOD_MIN's major, and not older than ZOD_MIN. */
function supportedZod({ major, minor, patch }: ZodVersion): boolean {
  if (major !== ZOD_MIN.major) return false
  return minor === ZOD_MIN.minor ? patch >= ZOD_MIN.patch : minor > ZOD_MIN.minor
}

/** The last good config read at start; when that read failed, the start failure with its issues added. */
function lastGoodOrThrow<T>(
  read: { doc: T | undefined } | { error: unknown } | undefined,
  failed: ConfigError,
) {
  if (!read || 'doc' in read) return read?.doc
  const { error } = read
  const issues = error instanceof ConfigError ? error.issues : [issue('SOURCE_FAILED', '', messageOf(error))]
  throw new ConfigError([...failed.issues, ...issues], { cause: failed })
}

async function checkOrThrow<TConfig>(
  schema: z.ZodType,
  value: unknown,
  redactor: Redactor,
): Promise<TConfig> {
  const issues: ConfigIssue[] = []
  const config = checkTree(schema, value, undefined, issues)
  if (issues.length > 0) throw new ConfigError(redactor.issues(issues, value))
  return config as TConfig
}

/**
 * Validates the first config. Overrides that no longer validate (the schema changed since they were written) are
 * dropped one by one and reported; anything else wrong fails creation with every issue.
 */
function validateStart<TConfig>(
  schema: z.ZodType,
  layers: LayerState,
  redactor: Redactor,
  report: (code: 'INVALID', message: string) => void,
): { config: TConfig; layers: LayerState } {
  let current = layers
  for (;;) {
    const issues: ConfigIssue[] = []
    const merged = mergeLayerState(current)
    const config = checkTree(schema, merged, undefined, issues)
    if (issues.length === 0) return { config: freeze(config, true) as TConfig, layers: current }
    // The raw merge and the parsed output: a transform may have turned a secret into new text.
    const scrubbed = redactor.issues(issues, merged, config)
    const { layers: next, parked } = parkOverrides(current, scrubbed)
    if (parked.length === 0) throw new ConfigError(attributeIssues(current, scrubbed))
    for (const i of parked) report('INVALID', parkedMessage(i.path, i.message))
    current = next
  }
}
