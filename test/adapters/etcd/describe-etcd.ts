import { describe } from 'vitest'
import { etcdAvailable, etcdMissingReason } from '../../support/etcd-server.ts'

/** `describe` that skips, loudly, when the etcd binary is not installed. */
export function describeEtcd(name: string, body: () => void): void {
  if (etcdMissingReason) console.warn(`${name}: ${etcdMissingReason}`)
  describe.skipIf(!etcdAvailable)(name, body)
}

/** Resolves once `check()` holds, polling; rejects with `what` after `timeoutMs` (a bound, not an assertion). */
export async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
