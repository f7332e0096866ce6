import { describe } from 'vitest'
import { etcdAvailable, etcdMissingReason } from '../../support/etcd-server.ts'

/** `describe` that skips, loudly, when the etcd binary is not installed. */
export function describeEtcd(name: string, body: () => void): void {
  if (etcdMissingReason) console.warn(`${name}: ${etcdMissingReason}`)
  describe.skipIf(!etcdAvailable)(name, body)
}
