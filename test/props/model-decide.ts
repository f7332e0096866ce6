import type { Change } from '../../src/index.ts'
import { diffConfigs, judge, type ModelConfig, overlaps } from './model-config.ts'
import { candidateOf, type Submitted, touchedBy } from './model-writes.ts'

/** How a registered participant answers. `slow` answers long after the store's timeout. */
export type Behavior = 'accept' | 'throw' | 'reject' | 'slow'

export interface ModelParticipant {
  readonly id: number
  readonly behavior: Behavior
  readonly paths: readonly string[] | undefined
}

/** One call a participant gets: `(next, prev)`, swapped when compensating. */
export interface Call {
  readonly id: number
  readonly next: unknown
  readonly prev: unknown
  readonly compensating: boolean
}

export interface Commit {
  readonly config: ModelConfig
  readonly source: string
  readonly actor: string
  readonly rollbackOf?: number
  /** Paths the write named itself: see `touchedBy`. */
  readonly touched: readonly string[]
}

/** The model: every committed config (index = revision - 1) and what the store must have done so far. */
export interface Model {
  readonly limit: number
  readonly commits: Commit[]
  /** Revisions pinned by a snapshot: reachable beyond the history limit. */
  readonly pinned: number[]
  participants: ModelParticipant[]
  nextParticipant: number
  nextActor: number
  /** Every participant call the store must have made, in order. */
  readonly calls: Call[]
  /** The final status of every transaction, in the order they settled. */
  readonly outcomes: string[]
}

export type Expected =
  | { readonly status: 'committed'; readonly revision: number; readonly changes: readonly Change[] }
  | { readonly status: 'unchanged'; readonly revision: number }
  | { readonly status: 'rejected'; readonly revision: number; readonly issues: readonly string[] }
  | {
      readonly status: 'rolledBack'
      readonly revision: number
      readonly code: string
      readonly changes: readonly Change[]
    }

export function initialModel(limit: number): Model {
  const { config } = judge({})
  return {
    limit,
    commits: [{ config, source: 'init', actor: '', touched: [] }],
    pinned: [],
    participants: [],
    nextParticipant: 1,
    nextActor: 1,
    calls: [],
    outcomes: [],
  }
}

export const live = (model: Model): ModelConfig => model.commits[model.commits.length - 1]!.config

/** Revisions a rollback or diff can reach: the live one, the `limit` before it, and pinned ones. */
export function retained(model: Model, r: number): boolean {
  const live = model.commits.length
  return (r >= Math.max(1, live - model.limit) && r <= live) || model.pinned.includes(r)
}

/**
 * What the store must answer to one write, processed after every write submitted before it. Unless `dry`, the
 * model moves on: a commit is appended, the participant calls and the outcome are recorded.
 */
export function decide(model: Model, w: Submitted, actor: string, dry = false): Expected {
  const revision = model.commits.length
  const prev = live(model)
  const reachable = (r: number) => (retained(model, r) ? model.commits[r - 1]!.config : undefined)
  const outcome = (e: Expected): Expected => {
    if (!dry) model.outcomes.push(e.status)
    return e
  }
  const built = candidateOf(w, prev, reachable, revision)
  if ('issues' in built) return outcome({ status: 'rejected', revision, issues: built.issues })
  const { config, issues } = judge(built.candidate)
  if (issues.length > 0) return outcome({ status: 'rejected', revision, issues })
  const changes = diffConfigs(prev, config)
  if (changes.length === 0) return outcome({ status: 'unchanged', revision })
  const held = changes.filter((c) => overlaps(c.path, 'server.port'))
  if (held.length > 0) {
    return outcome({ status: 'rejected', revision, issues: held.map((c) => `RESTART_REQUIRED@${c.path}`) })
  }
  if (dry) return { status: 'committed', revision: revision + 1, changes }
  const accepted: ModelParticipant[] = []
  for (const p of model.participants) {
    if (p.paths && !changes.some((c) => p.paths!.some((q) => overlaps(c.path, q)))) continue
    model.calls.push({ id: p.id, next: config, prev, compensating: false })
    if (p.behavior === 'accept') {
      accepted.push(p)
      continue
    }
    for (const a of accepted.reverse()) {
      model.calls.push({ id: a.id, next: prev, prev: config, compensating: true })
    }
    const code = p.behavior === 'slow' ? 'PARTICIPANT_TIMEOUT' : 'PARTICIPANT_FAILED'
    return outcome({ status: 'rolledBack', revision, code, changes })
  }
  model.commits.push({
    config,
    actor,
    source: w.kind === 'rollback' ? 'rollback' : 'api',
    touched: touchedBy(w),
    ...(w.kind === 'rollback' ? { rollbackOf: w.target } : {}),
  })
  return outcome({ status: 'committed', revision: revision + 1, changes })
}
