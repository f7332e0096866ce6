import { createHash } from 'node:crypto'
import type { ConfigStore } from '../../types.ts'

/** What the hash reads of a store. */
type HashedStore = Pick<ConfigStore<unknown>, 'revision' | 'redact' | 'current'>

/**
 * A short hash of the live config with its secrets redacted, the same on every instance that runs the same config:
 * what `config_info{hash}` shows. Redacted, so that the hash of a known config cannot confirm a guessed secret (a
 * rotated secret alone leaves it unchanged). Computed once per revision of each store.
 */
export function configHash(store: HashedStore): string {
  const cached = hashes.get(store)
  if (cached?.revision === store.revision) return cached.hash
  const json = JSON.stringify(store.redact(store.current), (_key, value: unknown) =>
    typeof value === 'bigint' ? `${value}n` : value,
  )
  const hash = createHash('sha256').update(json).digest('hex').slice(0, 16)
  hashes.set(store, { revision: store.revision, hash })
  return hash
}

// --- internal ---

const hashes = new WeakMap<HashedStore, { readonly revision: number; readonly hash: string }>()
