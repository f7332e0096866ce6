import type { z } from 'zod'
import { TransactionTracer } from '../diagnostics.ts'
import { messageOf } from '../error-message.ts'
import { ConfigError } from '../errors.ts'
import { sourceWarnings } from '../layers.ts'
import { ParticipantSet } from '../machines/participants.ts'
import type { PipelineParts } from '../machines/pipeline-parts.ts'
import type { Committed } from '../machines/transaction.ts'
import { createTransactor } from '../machines/transactor.ts'
import { markedPaths } from '../schema/markers.ts'
import { createRedactor } from '../schema/redactor.ts'
import { StoreCounters } from '../stats.ts'
import { StoreStreams } from '../streams.ts'
import { findForbiddenKeys } from '../tree/forbidden.ts'
import type {
  ConfigStore,
  ConfigStoreOptions,
  Logger,
  ProbationCheck,
  ProbationOptions,
  StoreTimers,
  WarningCode,
} from '../types.ts'
import { checkOptions } from './check-options.ts'
import { ExpiryTimer, nodeTimers } from './expiry-timer.ts'
import { LiveStore } from './live-store.ts'
import { StoreNotices } from './notices.ts'
import { ProbationTimer, type ProbationTimerContext } from './probation-timer.ts'
import { startUp } from './start-up.ts'
import { openStoreFiles, type StoreFiles } from './store-files.ts'
import type { StoreCore } from './store-reads.ts'

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
  const settings = withDefaults(options)
  const { schema, environment, logger } = settings
  const redactor = createRedactor(schema)
  const initial = (options.initial ?? {}) as Record<string, unknown>
  const forbidden = findForbiddenKeys(initial, '')
  if (forbidden.length > 0) throw new ConfigError(forbidden)
  const files = openStoreFiles(options as ConfigStoreOptions<never>, logger)
  // Warnings wait here until the store exists, then go straight to `store.warn`.
  const early: { code: WarningCode; message: string }[] = []
  let report = (code: WarningCode, message: string) => {
    early.push({ code, message })
  }
  const warnSources = sourceWarnings((code, message) => report(code, message))
  const { first, history } = await startUp<TConfig>({
    ...settings,
    initial,
    files,
    redactor,
    report: (c, m) => report(c, m),
    warnSources,
  }).catch(async (error: unknown) => {
    // Until the store exists, a failed start releases the files (and a backend's connection) before it rejects.
    await files.close().catch(() => {})
    throw error
  })
  const lastGood = lastGoodWriter<TConfig>(files, logger)
  const store = assemble<TConfig>({
    ...settings,
    initial: first,
    schema: schema as unknown as z.ZodType<TConfig>,
    restartPaths: markedPaths(schema).restart,
    warnSources,
    backend: files.backend,
    history,
    redactor,
    ...(options.inspect ? { inspect: options.inspect } : {}),
    ...(options.probation?.sources?.length && options.probation.forMs
      ? { probation: { forMs: options.probation.forMs, sources: options.probation.sources } }
      : {}),
    probationChecks: {
      checks: namedChecks(options.probation?.checks ?? {}),
      everyMs: options.probation?.everyMs ?? 1000,
    },
    onOutcome: (record) => files.audit({ ...record, environment }),
    onCommit: lastGood?.write,
    files,
    adapters: options.adapters ?? [],
    release: async () => {
      await lastGood?.settled()
      await files.close()
    },
  })
  for (const w of early) store.warn(w.code, w.message)
  report = (code, message) => store.warn(code, message)
  await store.start()
  return store
}

// --- internal ---

/** The options with their defaults, checked (`BAD_OPTIONS`). */
function withDefaults<TSchema extends z.ZodObject>(options: ConfigStoreOptions<TSchema>) {
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
    timers = nodeTimers,
  } = options
  const limits = { historyLimit, eventsLimit, participantTimeoutMs, persistTimeoutMs, loadTimeoutMs }
  checkOptions(options, limits)
  return { schema, environment, sources, logger, clock, timers, ...limits }
}

const consoleLogger: Logger = {
  debug() {},
  info() {},
  warn: (msg, data) => console.warn(`[hotconf] ${msg}`, ...(data ? [data] : [])),
  error: (msg, data) => console.error(`[hotconf] ${msg}`, ...(data ? [data] : [])),
}

/** Everything `assemble` builds a store from: the pipeline's settings and the store's own. */
type StoreSettings<TConfig> = Omit<
  PipelineParts<TConfig>,
  'participants' | 'streams' | 'tracer' | 'counters' | 'warn'
> &
  Pick<StoreCore<TConfig>, 'schema' | 'files' | 'adapters' | 'release'> & {
    readonly participantTimeoutMs: number
    readonly timers: StoreTimers
    readonly probationChecks: Pick<ProbationTimerContext<TConfig>, 'checks' | 'everyMs'>
  }

/**
 * Builds the store's parts in the order they need each other: notices (warnings, adapter states) and streams,
 * participants, then the transaction pipeline, which reports through the notices.
 */
function assemble<TConfig>(settings: StoreSettings<TConfig>): LiveStore<TConfig> {
  const { redactor, logger, clock } = settings
  const counters = new StoreCounters()
  const notices: StoreNotices = new StoreNotices({
    redactor,
    logger,
    clock,
    current: () => transactor.state.live.config,
    event: (event) => streams.event(event),
  })
  const streams = new StoreStreams<TConfig>(settings.initial.config, notices.observerHooks(counters))
  const participants = new ParticipantSet(settings.participantTimeoutMs, (message, configs) =>
    // The refused candidate is not live: its secrets are scrubbed here, the live ones by `warn`.
    notices.warn('COMPENSATION_FAILED', redactor.scrub(message, ...configs)),
  )
  const expiry = new ExpiryTimer({
    timers: settings.timers,
    clock,
    deadlines: () => transactor.state.live.layers.expiries,
    expire: (expired, meta) => transactor.submit({ kind: 'reset', expired }, meta, 'expiry'),
    warn: (code, message) => notices.warn(code, message),
  })
  const probation = new ProbationTimer<TConfig>({
    timers: settings.timers,
    clock,
    probations: () => transactor.state.live.layers.probation,
    config: () => transactor.state.live.config,
    ...settings.probationChecks,
    timeoutMs: settings.participantTimeoutMs,
    end: (revision, end, meta) => transactor.submit({ kind: 'probation', revision, end }, meta, 'probation'),
    warn: (code, message) => notices.warn(code, message),
    event: (event) => {
      counters.probation[event.phase]++
      streams.event(event)
    },
  })
  const transactor = createTransactor<TConfig>({
    ...settings,
    onCommit: (committed) => {
      settings.onCommit?.(committed)
      expiry.sync()
      probation.sync()
    },
    onRefresh: () => {
      expiry.sync()
      probation.sync()
    },
    participants,
    streams,
    tracer: new TransactionTracer(settings.environment),
    counters,
    warn: (code, message) => notices.warn(code, message),
  })
  return new LiveStore<TConfig>({
    ...settings,
    transactor,
    streams,
    counters,
    participants,
    notices,
    expiry,
    probation,
  })
}

/** The store's probation checks by name: a list is named by each function's name, else its place. */
function namedChecks<TConfig>(
  checks: NonNullable<ProbationOptions<TConfig>['checks']>,
): Readonly<Record<string, ProbationCheck<TConfig>>> {
  if (!Array.isArray(checks)) return checks as Readonly<Record<string, ProbationCheck<TConfig>>>
  return Object.fromEntries(checks.map((check, i) => [check.name || `check ${i + 1}`, check]))
}

/** Writes every commit to the last-good file, latest wins; none without `lastKnownGood`. */
function lastGoodWriter<TConfig>(files: StoreFiles, logger: Logger) {
  const lastGood = files.lastGood
  if (!lastGood) return undefined
  let chain: Promise<void> = Promise.resolve()
  return {
    write(committed: Committed<TConfig>) {
      // Chained so an older config never lands after a newer one.
      chain = chain
        .then(() =>
          lastGood.write({
            revision: committed.revision,
            savedAt: committed.at.toISOString(),
            config: committed.config as Record<string, unknown>,
          }),
        )
        .catch((error: unknown) => logger.error(`cannot write ${lastGood.path}: ${messageOf(error)}`))
    },
    settled: () => chain,
  }
}
