import type { z } from 'zod'
import { messageOf } from '../error-message.ts'
import { ConfigError, issue } from '../errors.ts'
import { readExpiries } from '../expiries.ts'
import { ConfigHistory } from '../history.ts'
import { attributeIssues } from '../layer-origins.ts'
import { parkedMessage, parkOverrides } from '../layer-overrides.ts'
import { type LayerState, type LoadedLayer, loadOverrides, loadSources, mergeLayerState } from '../layers.ts'
import type { Committed } from '../machines/transaction.ts'
import { readProbation } from '../probation.ts'
import { checkTree } from '../schema/check-tree.ts'
import type { Redactor } from '../schema/redactor.ts'
import { deepFreeze } from '../tree/freeze.ts'
import type { ConfigIssue, ConfigSource, PersistedOverrides, WarningCode } from '../types.ts'
import type { LastGood, StoredSnapshot, StoreFiles } from './store-files.ts'

/** What start-up reads and where it reports what it finds. */
export interface StartUpContext {
  readonly schema: z.ZodObject
  readonly environment: string
  readonly sources: readonly ConfigSource[]
  readonly initial: Record<string, unknown>
  readonly files: StoreFiles
  readonly redactor: Redactor
  readonly loadTimeoutMs: number
  readonly historyLimit: number
  readonly clock: () => Date
  readonly report: (code: WarningCode, message: string) => void
  readonly warnSources: (layers: readonly LoadedLayer[]) => void
}

/**
 * The first committed state and its history, in four steps: what is persisted (overrides, last good config,
 * snapshots, the revision to continue from), the sources merged and validated, the last known good config when
 * they are broken, and the pinned snapshots that still validate. Rejects with a `ConfigError` listing every issue.
 */
export async function startUp<TConfig>(
  ctx: StartUpContext,
): Promise<{ first: Committed<TConfig>; history: ConfigHistory<TConfig> }> {
  const stored = await readPersisted(ctx)
  const base: Omit<LayerState, 'sources'> = {
    defaults: checkTree(ctx.schema, {}, undefined, []) as Record<string, unknown>,
    initial: ctx.initial,
    overrides: stored.persisted?.overrides ?? {},
    parked: {},
    expiries: readExpiries(stored.persisted?.expiries),
    probation: readProbation(stored.persisted?.probation),
  }
  const { config, layers } = await fromSources<TConfig>(ctx, base).catch((error: unknown) =>
    fromLastGood<TConfig>(ctx, base, stored.goodRead, error),
  )
  const first: Committed<TConfig> = {
    config,
    revision: stored.revision,
    layers,
    at: ctx.clock(),
    pendingRestart: [],
  }
  const history = new ConfigHistory<TConfig>(ctx.historyLimit, first)
  for (const pinned of stored.pinned) {
    const issues: ConfigIssue[] = []
    const restored = checkTree(ctx.schema, pinned.config, undefined, issues)
    if (issues.length > 0)
      ctx.report('INVALID', `dropped snapshot ${pinned.snapshot.id}: it no longer validates`)
    else history.restore(pinned.snapshot, deepFreeze(restored) as TConfig)
  }
  return { first, history }
}

// --- internal ---

type GoodRead = { doc: LastGood | undefined } | { error: unknown } | undefined

async function readPersisted(ctx: StartUpContext): Promise<{
  persisted: PersistedOverrides | undefined
  goodRead: GoodRead
  pinned: readonly StoredSnapshot[]
  revision: number
}> {
  const { files, report, environment, loadTimeoutMs } = ctx
  const warn = (w: { code: WarningCode; message: string }) => report(w.code, w.message)
  const persisted = files.backend
    ? await loadOverrides(files.backend, { environment, report: warn }, loadTimeoutMs)
    : undefined
  // Read up front for its revision; a failed read matters only if the store has to start on it.
  const goodRead: GoodRead = await files.lastGood?.read(warn).then(
    (doc) => ({ doc }),
    (error: unknown) => ({ error }),
  )
  const pinned = (await files.snapshots?.read(warn))?.snapshots ?? []
  // Revisions continue after every one persisted before (ETags and audit lines never repeat one).
  const revision =
    1 +
    Math.max(
      persisted?.revision ?? 0,
      (goodRead && 'doc' in goodRead ? goodRead.doc?.revision : undefined) ?? 0,
      await files.lastAuditRevision(),
      ...pinned.map((s) => s.snapshot.revision),
    )
  return { persisted, goodRead, pinned, revision }
}

async function fromSources<TConfig>(
  ctx: StartUpContext,
  base: Omit<LayerState, 'sources'>,
): Promise<{ config: TConfig; layers: LayerState }> {
  const loaded = await loadSources(
    ctx.sources,
    { environment: ctx.environment, schema: ctx.schema },
    ctx.loadTimeoutMs,
  )
  ctx.warnSources(loaded)
  return validateStart<TConfig>(ctx, { ...base, sources: loaded })
}

/** When the sources fail: the last good config, loudly; a missing package is a set-up error it cannot stand in for. */
async function fromLastGood<TConfig>(
  ctx: StartUpContext,
  base: Omit<LayerState, 'sources'>,
  read: GoodRead,
  error: unknown,
): Promise<{ config: TConfig; layers: LayerState }> {
  if (!(error instanceof ConfigError) || error.issues.some((i) => i.code === 'MISSING_DEPENDENCY'))
    throw error
  const good = lastGoodOrThrow(read, error)
  if (!good) throw error
  // Loud, not silent: the service comes up on what worked last time and says why it had to.
  ctx.report(
    'LAST_KNOWN_GOOD',
    `starting on the last known good config (revision ${good.revision}, saved ${good.savedAt}) because: ${error.message}`,
  )
  const issues: ConfigIssue[] = []
  const config = checkTree(ctx.schema, good.config, undefined, issues)
  if (issues.length > 0) throw new ConfigError(ctx.redactor.issues(issues, good.config))
  return { config: deepFreeze(config) as TConfig, layers: { ...base, sources: [] } }
}

/** The last good config read at start; when that read failed, the start failure with its issues added. */
function lastGoodOrThrow(read: GoodRead, failed: ConfigError): LastGood | undefined {
  if (!read || 'doc' in read) return read?.doc
  const { error } = read
  const issues = error instanceof ConfigError ? error.issues : [issue('SOURCE_FAILED', '', messageOf(error))]
  throw new ConfigError([...failed.issues, ...issues], { cause: failed })
}

/**
 * Validates the first config. Overrides that no longer validate (the schema changed since they were written) are
 * dropped one by one and reported; anything else wrong fails creation with every issue.
 */
function validateStart<TConfig>(
  ctx: StartUpContext,
  layers: LayerState,
): { config: TConfig; layers: LayerState } {
  let current = layers
  for (;;) {
    const issues: ConfigIssue[] = []
    const merged = mergeLayerState(current)
    const config = checkTree(ctx.schema, merged, undefined, issues)
    if (issues.length === 0) return { config: deepFreeze(config) as TConfig, layers: current }
    // The raw merge and the parsed output: a transform may have turned a secret into new text.
    const scrubbed = ctx.redactor.issues(issues, merged, config)
    const { layers: next, parked } = parkOverrides(current, scrubbed)
    if (parked.length === 0) throw new ConfigError(attributeIssues(current, scrubbed))
    for (const i of parked) ctx.report('INVALID', parkedMessage(i.path, i.message))
    current = next
  }
}
