import type { Lease } from 'etcd3'
import type { FleetInstance } from '../../types.ts'
import type { FleetStore } from '../fleet/fleet-store.ts'
import { type ClientRef, callOptions } from './etcd-client.ts'
import { prefixRange } from './key-layout.ts'

/**
 * The instances' status records of one service: one key per instance, `<prefix>/fleet/<id>`, attached to a lease of
 * the record's TTL. Each publish refreshes the lease (one keepalive) and rewrites the key, so an instance that stops
 * publishing (it hangs, it died, it lost etcd) drops out when etcd expires the lease; a lease etcd no longer knows
 * (expired during an outage) is replaced by a new one. The key lies outside the layer and overrides prefixes, so
 * the watches never see a heartbeat. @internal
 */
export function createEtcdFleet(
  ref: ClientRef,
  plan: { readonly prefix: string; readonly timeoutMs: number },
): FleetStore {
  const { prefix, timeoutMs } = plan
  const root = `${prefix}/fleet/`
  let lease: { readonly lease: Lease; readonly ttlMs: number } | undefined

  async function current(ttlMs: number): Promise<Lease> {
    if (lease !== undefined && lease.ttlMs === ttlMs && !lease.lease.revoked()) {
      const alive = await lease.lease.keepaliveOnce(callOptions(timeoutMs)).then(
        (res) => Number(res.TTL) > 0,
        () => false,
      )
      if (alive) return lease.lease
      lease.lease.release()
    }
    const client = await ref.get()
    // Whole seconds, as etcd counts them; the fleet view still drops the record after ttlMs.
    const fresh = client.lease(Math.max(1, Math.ceil(ttlMs / 1000)), { autoKeepAlive: false })
    fresh.on('lost', () => {})
    await fresh.grant()
    lease = { lease: fresh, ttlMs }
    return fresh
  }

  return {
    name: `etcd:${prefix}`,
    async publish(record) {
      const held = await current(record.ttlMs)
      await held
        .put(root + record.id)
        .value(JSON.stringify(record))
        .exec()
    },
    async remove() {
      const held = lease
      lease = undefined
      // Revoking the lease deletes the key with it.
      await held?.lease.revoke(callOptions(timeoutMs))
    },
    async read() {
      const client = await ref.get()
      const response = await client.kv.txn(
        {
          success: [
            { request_range: prefixRange(root) },
            { request_range: { key: Buffer.from(`${prefix}/overrides`) } },
          ],
        },
        callOptions(timeoutMs),
      )
      const kvs = response.responses[0]?.response_range.kvs ?? []
      const records = kvs.flatMap((kv): FleetInstance[] => {
        try {
          return [JSON.parse(kv.value.toString()) as FleetInstance]
        } catch {
          // A key someone else wrote under fleet/: not an instance.
          return []
        }
      })
      return { records, version: response.responses[1]?.response_range.kvs[0]?.mod_revision }
    },
  }
}
