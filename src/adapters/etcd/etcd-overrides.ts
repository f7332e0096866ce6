import type { ICompare, IRequestOp, ITxnResponse } from 'etcd3'
import { messageOf } from '../../adapter-kit.ts'
import { ConfigError, issue } from '../../errors.ts'
import type { BackendContext, ConfigIssue, OverridesBackend, PersistedOverrides } from '../../types.ts'
import { takingTurns, unreadOverrides } from '../cluster-parts.ts'
import { leafChanges, sameLeaves } from '../leaf-layer.ts'
import { metaOf, readMeta } from '../overrides-meta.ts'
import { type EtcdIsolation, holds, KnownRevisions, rangeOf, type Scope, scopesOf } from './conflict-scope.ts'
import { type ClientRef, callOptions, clientRef, type EtcdConnectionOptions } from './etcd-client.ts'
import { etcdLayer, type KeyLayout, keyLayout, leavesOf, prefixRange } from './key-layout.ts'

/** Options of `etcdOverrides`. */
export interface EtcdOverridesOptions {
  /** The key prefix of the overrides: `myapp/overrides` holds `myapp/overrides/pool.max`. */
  readonly prefix: string
  /** Which concurrent writes conflict; see `EtcdIsolation`. @default 'object' */
  readonly isolation?: EtcdIsolation
  /** Fail store creation when etcd cannot be read at start, instead of starting without overrides. @default false */
  readonly required?: boolean
  /** Deadline of each etcd call. @default 5000 */
  readonly timeoutMs?: number
}

/**
 * Runtime overrides kept in etcd, so every instance of a service shares them; give it to the store as
 * `overrides: { backend }` (one backend per store) and add `etcdSync` so the other instances reload.
 *
 * Layout: one key per leaf, `<prefix>/<dotted.path>` → the leaf's JSON, plus the key `<prefix>` itself holding when
 * and from which environment the overrides were last written. One key per leaf, not one JSON document, because etcd compares revisions per key: two operators changing
 * different settings through different instances both succeed, where a whole-document key would make every
 * concurrent write conflict.
 *
 * `save` is one etcd transaction: it puts the changed leaves, deletes the reset ones and, in the same transaction,
 * compares the `mod_revision` of every key it read in the conflict scope (`isolation`) and checks that no key was
 * created there since. When another writer got there first, nothing is written and `save` throws a `ConfigError`
 * `STALE_REVISION` whose path is the conflicting key's dotted path: the store rolls the update back, the caller is
 * told, and `etcdSync` reloads the winner's value. Never overwrites silently. It returns the etcd revision of the
 * commit, recorded in history.
 *
 * etcd limits a transaction to 128 operations by default (`--max-txn-ops`): a single update may change at most
 * about 120 leaves, and with `isolation: 'document'` the document may hold at most about 120 overrides.
 *
 * When etcd cannot be read, `load` reports `SOURCE_FAILED` and returns what it last read or wrote (nothing at
 * start, or a `ConfigError` with `required: true`); a save while etcd is down fails, so the update rolls back.
 *
 * @example
 * const backend = etcdOverrides({ hosts: 'http://127.0.0.1:2379', prefix: 'orders/overrides' })
 * const store = await createConfigStore({
 *   schema,
 *   overrides: { backend },
 *   adapters: [etcdSync({ hosts: 'http://127.0.0.1:2379', prefix: 'orders/overrides' })],
 * })
 */
export function etcdOverrides(options: EtcdConnectionOptions & EtcdOverridesOptions): OverridesBackend {
  return createEtcdOverrides(clientRef(options, 'etcdOverrides'), options)
}

/**
 * The backend over a given client reference; `onSaved` hears the etcd revision of each save, `onVersion` the revision
 * of the newest save each load found or each save made, for the fleet status. @internal
 */
export function createEtcdOverrides(
  ref: ClientRef,
  options: EtcdOverridesOptions,
  onSaved: (revision: string) => void = () => {},
  onVersion: (revision: string) => void = () => {},
): OverridesBackend {
  const { prefix, isolation = 'object', required = false, timeoutMs = 5_000 } = options
  const layout = keyLayout(prefix, 'etcdOverrides')
  // What the store's overrides are based on: each leaf's JSON and mod revision as last read or written here.
  let baseline = new Map<string, { text: string; revision: number }>()
  const known = new KnownRevisions()
  let last: PersistedOverrides | undefined
  let loaded = false
  const inTurn = takingTurns()

  async function load(ctx: BackendContext): Promise<PersistedOverrides | undefined> {
    let response: ITxnResponse
    try {
      const client = await ref.get()
      // One transaction, two reads: the leaves and the metadata at the same revision.
      const reads: IRequestOp[] = [
        { request_range: prefixRange(layout.root) },
        { request_range: { key: Buffer.from(layout.metaKey) } },
      ]
      response = await client.kv.txn({ success: reads }, callOptions(timeoutMs))
    } catch (error) {
      const message = `etcd overrides at ${layout.root} could not be read: ${messageOf(error)}`
      return unreadOverrides(error, ctx, { message, source: layout.root, loaded, required, last })
    }
    loaded = true
    const kvs = response.responses[0]?.response_range.kvs ?? []
    const metaKv = response.responses[1]?.response_range.kvs[0]
    if (metaKv !== undefined) onVersion(metaKv.mod_revision)
    const { doc, issues } = etcdLayer(leavesOf(kvs, layout), layout)
    for (const bad of issues) ctx.report({ code: 'CORRUPT_FILE', message: `${bad.message}; ignored` })
    const unusable = new Set(issues.map((i) => i.path))
    const previous = baseline
    baseline = new Map()
    for (const kv of kvs) {
      const path = layout.path(kv.key.toString())
      if (path === undefined || unusable.has(path)) continue
      baseline.set(path, { text: kv.value.toString(), revision: Number(kv.mod_revision) })
    }
    known.loaded(Number(response.header.revision))
    // The same leaves as last time (e.g. the echo of this instance's own save): hand back the same document, so
    // the store sees nothing new and the reload ends `unchanged`. An empty prefix gets a document too, for the same
    // reason: `undefined` would become a fresh `{}` on every reload.
    if (last !== undefined && sameLeaves(previous, baseline)) return last
    const meta = parseMeta(metaKv?.value.toString())
    last = {
      overrides: doc,
      revision: meta.revision ?? 0,
      updatedAt: meta.updatedAt ?? new Date(0).toISOString(),
      environment: meta.environment ?? ctx.environment,
      ...(meta.expiries ? { expiries: meta.expiries } : {}),
      ...(meta.probation ? { probation: meta.probation } : {}),
    }
    return last
  }

  async function save(doc: PersistedOverrides): Promise<{ version: string }> {
    const { puts, deletes } = leafChanges(doc.overrides, baseline)
    if (puts.length === 0 && deletes.length === 0) {
      last = doc
      return { version: String(known.latest) }
    }
    const scopes = scopesOf([...puts.map(([path]) => path), ...deletes], isolation, layout)
    const client = await ref.get()
    const response = await client.kv.txn(
      {
        compare: compares(scopes, baseline, known, layout),
        success: [
          ...puts.map(
            ([path, text]): IRequestOp => ({
              request_put: { key: key(layout, path), value: Buffer.from(text) },
            }),
          ),
          ...deletes.map((path): IRequestOp => ({ request_delete_range: { key: key(layout, path) } })),
          { request_put: { key: Buffer.from(layout.metaKey), value: Buffer.from(metaText(doc)) } },
        ],
        failure: scopes.map((scope): IRequestOp => ({ request_range: rangeOf(scope) })),
      },
      callOptions(timeoutMs),
    )
    if (!response.succeeded) {
      throw new ConfigError(conflicts(response, scopes, baseline, layout, puts[0]?.[0] ?? deletes[0] ?? ''))
    }
    const revision = Number(response.header.revision)
    for (const [path, text] of puts) baseline.set(path, { text, revision })
    for (const path of deletes) baseline.delete(path)
    known.verified(scopes, revision)
    last = doc
    onSaved(response.header.revision)
    onVersion(response.header.revision)
    return { version: response.header.revision }
  }

  return {
    name: `etcd:${layout.root}`,
    load: (ctx: BackendContext) => inTurn(() => load(ctx)),
    save: (doc: PersistedOverrides) => inTurn(() => save(doc)),
    close: () => ref.close(),
  }
}

// --- internal ---

type Baseline = ReadonlyMap<string, { readonly text: string; readonly revision: number }>

function key(layout: KeyLayout, path: string): Buffer {
  return Buffer.from(layout.key(path))
}

/** No key in a scope changed or appeared since it was known, and every key read there is still as read. */
function compares(
  scopes: readonly Scope[],
  baseline: Baseline,
  known: KnownRevisions,
  layout: KeyLayout,
): ICompare[] {
  const out: ICompare[] = scopes.map((scope) => ({
    ...rangeOf(scope),
    target: 'Mod',
    result: 'Less',
    mod_revision: known.of(scope) + 1,
  }))
  for (const [path, seen] of baseline) {
    const k = layout.key(path)
    // A deleted key leaves nothing for the range compare to see: compare each key read, by its own revision.
    if (scopes.some((scope) => holds(scope, k))) {
      out.push({ key: Buffer.from(k), target: 'Mod', result: 'Equal', mod_revision: seen.revision })
    }
  }
  return out
}

/** Which keys another writer changed, created or deleted, from the ranges the failed transaction read instead. */
function conflicts(
  response: ITxnResponse,
  scopes: readonly Scope[],
  baseline: Baseline,
  layout: KeyLayout,
  fallbackPath: string,
): ConfigIssue[] {
  const found: ConfigIssue[] = []
  const stale = (path: string, what: string) =>
    found.push(
      issue(
        'STALE_REVISION',
        path,
        `etcd key '${layout.key(path)}' ${what} since this instance read it; reload and retry`,
        {
          source: layout.key(path),
        },
      ),
    )
  scopes.forEach((scope, i) => {
    const present = new Set<string>()
    for (const kv of response.responses[i]?.response_range?.kvs ?? []) {
      const path = layout.path(kv.key.toString())
      if (path === undefined) continue
      present.add(path)
      const seen = baseline.get(path)
      if (seen === undefined) stale(path, `was created by another writer (revision ${kv.mod_revision})`)
      else if (seen.revision !== Number(kv.mod_revision))
        stale(path, `was changed by another writer (revision ${kv.mod_revision})`)
    }
    for (const path of baseline.keys()) {
      if (holds(scope, layout.key(path)) && !present.has(path)) stale(path, 'was deleted by another writer')
    }
  })
  if (found.length === 0) stale(fallbackPath, 'was changed by another writer')
  return found
}

function metaText(doc: PersistedOverrides): string {
  const { revision, updatedAt, environment } = doc
  // Deadlines and probations ride in the metadata key, written in the same transaction as the leaves they concern.
  return JSON.stringify({ revision, updatedAt, environment, ...metaOf(doc) })
}

function parseMeta(text: string | undefined): Partial<PersistedOverrides> {
  if (text === undefined) return {}
  try {
    const meta = JSON.parse(text) as Record<string, unknown>
    return {
      ...(typeof meta.revision === 'number' ? { revision: meta.revision } : {}),
      ...(typeof meta.updatedAt === 'string' ? { updatedAt: meta.updatedAt } : {}),
      ...(typeof meta.environment === 'string' ? { environment: meta.environment } : {}),
      ...readMeta(meta),
    }
  } catch {
    return {}
  }
}
