import type { FleetInstance, FleetView } from '../../types.ts'

/**
 * The fleet as `store.fleet()` shows it: the instances whose heartbeat is younger than their TTL (a backend may keep
 * a stale record a while: a PostgreSQL row outlives its process, an etcd lease its last keepalive by up to a TTL), and
 * for the newest shared change `version`, who applied it, who refused it and who has not reported it. An instance
 * refuses a change when it read it but parks an override or its last reload was rejected or rolled back. @internal
 */
export function fleetView(
  backend: string,
  records: readonly FleetInstance[],
  version: string | undefined,
  now: Date,
): FleetView {
  const instances = records
    .filter((r) => Date.parse(r.heartbeatAt) + r.ttlMs > now.getTime())
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const view = { backend, at: now.toISOString(), instances }
  if (version === undefined) return view
  const applied: string[] = []
  const refused: { id: string; reason: string }[] = []
  const pending: string[] = []
  for (const instance of instances) {
    const why = refusal(instance)
    if (!hasRead(instance, version)) pending.push(instance.id)
    else if (why === undefined) applied.push(instance.id)
    else refused.push({ id: instance.id, reason: why })
  }
  return { ...view, lastChange: { version, applied, refused, pending } }
}

// --- internal ---

/** Versions are etcd revisions or PostgreSQL row versions: integers, compared as numbers. */
function hasRead(instance: FleetInstance, version: string): boolean {
  return instance.sharedVersion !== undefined && BigInt(instance.sharedVersion) >= BigInt(version)
}

function refusal(instance: FleetInstance): string | undefined {
  if (instance.parked.length > 0) return instance.parked.map((p) => p.message).join('; ')
  const last = instance.lastReload
  if (last?.status === 'rejected' || last?.status === 'rolledBack') {
    return `its last reload was ${last.status}: ${last.reason ?? 'no reason given'}`
  }
  return undefined
}
