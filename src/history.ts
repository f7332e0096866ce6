import { nodeCrypto } from './node-crypto.ts'
import { Ring } from './ring.ts'
import type { HistoryEntry, Snapshot } from './types.ts'

interface Revision<TConfig> {
  readonly revision: number
  readonly config: TConfig
  readonly entry?: HistoryEntry
}

interface Pinned<TConfig> {
  readonly snapshot: Snapshot
  readonly config: TConfig
}

/**
 * Retained revisions and pinned snapshots. Configs share structure between revisions (a commit copies only the
 * objects on its changed paths), so keeping the whole config of every revision costs only what each commit changed.
 */
export class ConfigHistory<TConfig> {
  readonly #revisions: Ring<Revision<TConfig>>
  readonly #pinned = new Map<string, Pinned<TConfig>>()

  constructor(
    private readonly limit: number,
    initial: { revision: number; config: TConfig },
  ) {
    // One more slot than entries, so the revision before the oldest listed change stays reachable.
    this.#revisions = new Ring(limit + 1)
    this.#revisions.push(initial)
  }

  record(revision: number, config: TConfig, entry: HistoryEntry): void {
    this.#revisions.push({ revision, config, entry })
  }

  /** Committed transactions, newest first. */
  entries(limit = this.limit): HistoryEntry[] {
    const out: HistoryEntry[] = []
    const max = Math.min(limit, this.limit)
    for (const r of this.#revisions.newest()) {
      if (out.length >= max) break
      if (r.entry) out.push(r.entry)
    }
    return out
  }

  get size(): number {
    return this.entries().length
  }

  /** The config of a retained revision or a pinned snapshot. */
  configAt(target: number | string): { config: TConfig; revision: number } | undefined {
    if (typeof target === 'string') {
      const pinned = this.#pinned.get(target)
      return pinned && { config: pinned.config, revision: pinned.snapshot.revision }
    }
    const found = this.#revisions.find((r) => r.revision === target)
    if (found) return found
    for (const p of this.#pinned.values())
      if (p.snapshot.revision === target) return { config: p.config, revision: target }
    return undefined
  }

  pin(
    revision: number,
    config: TConfig,
    options: { label?: string; tags?: readonly string[] },
    at: Date,
  ): Snapshot {
    const snapshot: Snapshot = {
      id: nodeCrypto().randomUUID(),
      revision,
      ...(options.label === undefined ? {} : { label: options.label }),
      tags: [...(options.tags ?? [])],
      at,
    }
    this.#pinned.set(snapshot.id, { snapshot, config })
    return snapshot
  }

  /** Puts back a snapshot read from disk. */
  restore(snapshot: Snapshot, config: TConfig): void {
    this.#pinned.set(snapshot.id, { snapshot, config })
  }

  unpin(id: string): boolean {
    return this.#pinned.delete(id)
  }

  snapshots(tag?: string): Snapshot[] {
    const all = [...this.#pinned.values()].map((p) => p.snapshot)
    return tag === undefined ? all : all.filter((s) => s.tags.includes(tag))
  }

  pinnedEntries(): Pinned<TConfig>[] {
    return [...this.#pinned.values()]
  }
}
