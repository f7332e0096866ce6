import { resolve } from 'node:path'
import { messageOf } from '../error-message.ts'
import { ConfigError, issue } from '../errors.ts'
import { type AuditLog, createAuditLog, lastAuditRevision } from '../persist/audit-log.ts'
import { fileOverrides } from '../persist/file-overrides.ts'
import { createJsonFile, type JsonFile } from '../persist/json-file.ts'
import { isPlainObject } from '../tree/paths.ts'
import type { ConfigStoreOptions, Logger, OverridesBackend, Snapshot, TransactionRecord } from '../types.ts'

/** A pinned snapshot as stored beside the overrides file. */
export interface StoredSnapshot {
  readonly snapshot: Snapshot
  readonly config: unknown
}

/** The last committed config, kept beside the overrides file for a start whose sources are broken. */
export interface LastGood {
  readonly revision: number
  readonly savedAt: string
  readonly config: Record<string, unknown>
}

/** The files a store keeps: the overrides backend, and beside an overrides file its snapshots and last good config. */
export interface StoreFiles {
  readonly backend: OverridesBackend | undefined
  readonly snapshots: JsonFile<{ snapshots: StoredSnapshot[] }> | undefined
  readonly lastGood: JsonFile<LastGood> | undefined
  /** The highest revision the audit log records; 0 without one. */
  lastAuditRevision(): Promise<number>
  /** Records one outcome in the audit log, if there is one; never throws. */
  audit(record: TransactionRecord & { environment: string }): void
  close(): Promise<void>
}

export function openStoreFiles(options: ConfigStoreOptions<never>, logger: Logger): StoreFiles {
  const { overrides, audit, lastKnownGood = false } = options
  let backend: OverridesBackend | undefined
  let base: string | undefined
  if (overrides && 'file' in overrides) {
    if (typeof overrides.file !== 'string' || overrides.file === '') {
      throw new ConfigError(issue('BAD_OPTIONS', 'overrides.file', 'overrides.file must be a file path'))
    }
    backend = fileOverrides(overrides.file)
    // Resolved once, like the overrides file itself: a later chdir must not move the files beside it.
    base = resolve(overrides.file)
  } else if (overrides && 'backend' in overrides) {
    backend = overrides.backend
  }
  if (lastKnownGood && !base) {
    throw new ConfigError(
      issue('BAD_OPTIONS', 'lastKnownGood', 'lastKnownGood needs overrides.file: it is kept beside it'),
    )
  }
  const log: AuditLog | undefined = audit ? createAuditLog(resolve(audit.file)) : undefined
  let failedAudits = 0
  return {
    backend,
    snapshots: base ? createJsonFile(`${base}.snapshots.json`, { parse: parseSnapshots }) : undefined,
    lastGood:
      base && lastKnownGood ? createJsonFile(`${base}.last-good.json`, { parse: parseLastGood }) : undefined,
    lastAuditRevision: async () => (audit ? lastAuditRevision(resolve(audit.file)) : 0),
    audit(record) {
      log?.append(record).catch((error: unknown) => {
        if (failedAudits++ === 0) logger.error(`audit log ${audit?.file} failed: ${messageOf(error)}`)
      })
    },
    async close() {
      await log?.close()
      await backend?.close?.()
    },
  }
}

// --- internal ---

function parseSnapshots(raw: unknown): { snapshots: StoredSnapshot[] } {
  if (!isPlainObject(raw) || !Array.isArray(raw.snapshots)) throw new Error('"snapshots" must be a list')
  return {
    snapshots: raw.snapshots.map((s: unknown) => {
      if (!isPlainObject(s) || !isPlainObject(s.snapshot) || !isPlainObject(s.config))
        throw new Error('bad snapshot')
      const snap = s.snapshot
      if (typeof snap.id !== 'string' || typeof snap.revision !== 'number') throw new Error('bad snapshot id')
      return {
        snapshot: {
          id: snap.id,
          revision: snap.revision,
          ...(typeof snap.label === 'string' ? { label: snap.label } : {}),
          tags: Array.isArray(snap.tags) ? snap.tags.map(String) : [],
          at: snap.at instanceof Date ? snap.at : new Date(String(snap.at)),
        },
        config: s.config,
      }
    }),
  }
}

function parseLastGood(raw: unknown): LastGood {
  if (!isPlainObject(raw) || !isPlainObject(raw.config)) throw new Error('"config" must be an object')
  return { revision: Number(raw.revision), savedAt: String(raw.savedAt), config: raw.config }
}
