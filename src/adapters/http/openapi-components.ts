import type { JsonObject } from './operation.ts'
import { PROBLEM_CODES } from './problem.ts'

/**
 * The OpenAPI components that do not depend on the config's schema: what the routes send besides the config, the
 * request envelopes, the headers and the parameters. Response schemas are closed (`additionalProperties: false`):
 * a field the code sends and the document does not name fails the contract test instead of going unnoticed.
 */
export const STATIC_SCHEMAS: Readonly<Record<string, JsonObject>> = {
  Problem: closed(
    {
      type: { type: 'string', pattern: '^urn:hotconf:problem:[a-z-]+$' },
      title: { type: 'string' },
      status: { type: 'integer', minimum: 400, maximum: 599 },
      detail: { type: 'string' },
      code: { type: 'string', enum: PROBLEM_CODES, description: 'An issue code or an HTTP one' },
      errors: { type: 'array', items: ref('Issue') },
    },
    { description: 'An RFC 9457 problem document' },
  ),
  Issue: closed({
    path: { type: 'string' },
    code: { type: 'string', enum: PROBLEM_CODES },
    message: { type: 'string' },
  }),
  Change: closed(
    { path: { type: 'string' }, from: {}, to: {} },
    {
      required: ['path'],
      description: 'One changed leaf; `from` or `to` is absent where the key was not there',
    },
  ),
  PendingRestart: closed({ path: { type: 'string' }, live: {}, next: {} }, { required: ['path'] }),
  WriteResult: closed(
    {
      status: { type: 'string', enum: ['committed', 'unchanged'] },
      revision: revision(),
      changes: { type: 'array', items: ref('Change') },
      rollbackTo: {
        ...revision(),
        description: '`POST /rollback { revision: rollbackTo }` undoes this commit',
      },
      pendingRestart: { type: 'array', items: ref('PendingRestart') },
    },
    { required: ['status', 'revision', 'changes'] },
  ),
  ValidateResult: closed({ ok: { const: true }, changes: { type: 'array', items: ref('Change') } }),
  HistoryEntry: closed(
    {
      id: { type: 'integer', description: 'The transaction id, as in `GET /events`' },
      revision: revision(),
      at: dateTime(),
      source: { type: 'string' },
      actor: { type: 'string' },
      reason: { type: 'string' },
      changes: { type: 'array', items: ref('Change') },
      durationMs: { type: 'number' },
      rollbackOf: { ...revision(), description: 'For rollbacks, the revision rolled back to' },
      persistedVersion: { type: 'string' },
    },
    { required: ['id', 'revision', 'at', 'source', 'changes', 'durationMs'] },
  ),
  TransactionRecord: closed(
    {
      id: { type: 'integer' },
      status: { type: 'string', enum: ['committed', 'unchanged', 'rejected', 'rolledBack'] },
      revision: revision(),
      source: { type: 'string' },
      actor: { type: 'string' },
      reason: { type: 'string' },
      at: dateTime(),
      durationMs: { type: 'number' },
      changes: { type: 'array', items: ref('Change') },
      errors: { type: 'array', items: ref('Issue') },
    },
    { required: ['id', 'status', 'revision', 'source', 'at', 'durationMs', 'changes', 'errors'] },
  ),
  Snapshot: closed(
    {
      id: { type: 'string' },
      revision: revision(),
      label: { type: 'string' },
      tags: { type: 'array', items: { type: 'string' } },
      at: dateTime(),
    },
    { required: ['id', 'revision', 'tags', 'at'] },
  ),
  Status: closed({
    revision: revision(),
    environment: { type: 'string' },
    updatedAt: dateTime(),
    pendingRestart: { type: 'array', items: ref('PendingRestart') },
    historySize: count(),
    snapshots: count(),
    participants: count(),
    observers: count(),
    closed: { type: 'boolean' },
    parked: {
      type: 'array',
      description: 'Persisted overrides this instance cannot apply (e.g. a key its schema does not know yet)',
      items: ref('ParkedOverride'),
    },
    expiring: {
      type: 'array',
      description: 'Runtime overrides with a deadline, soonest first',
      items: ref('PendingExpiry'),
    },
    probation: {
      type: 'array',
      description: 'Committed changes on probation, oldest first',
      items: ref('PendingProbation'),
    },
    adapters: {
      type: 'array',
      items: closed(
        {
          name: { type: 'string' },
          state: { type: 'string', enum: ['starting', 'running', 'failed', 'stopped'] },
          lastError: { type: 'string' },
          optional: { const: true },
        },
        { required: ['name', 'state'] },
      ),
    },
    sources: {
      type: 'array',
      items: closed({ name: { type: 'string' }, files: { type: 'array', items: { type: 'string' } } }),
    },
    warnings: {
      type: 'array',
      items: closed({ code: { type: 'string' }, message: { type: 'string' }, at: dateTime() }),
    },
  }),
  ExportDocument: closed({
    revision: revision(),
    environment: { type: 'string' },
    config: { anyOf: [ref('Config'), ref('ConfigWithSecrets')] },
    exportedAt: dateTime(),
  }),
  Health: {
    oneOf: [
      closed({ status: { const: 'ok' } }),
      closed({ status: { const: 'closed' } }),
      closed({ status: { const: 'failing' }, failed: { type: 'array', items: { type: 'string' } } }),
    ],
  },
  ParkedOverride: closed({ path: { type: 'string' }, message: { type: 'string' } }),
  FleetInstance: closed(
    {
      id: { type: 'string' },
      host: { type: 'string' },
      pid: { type: 'integer' },
      appVersion: { type: 'string' },
      revision: revision(),
      configHash: { type: 'string', description: 'Of the live config, secrets redacted' },
      sharedVersion: {
        type: 'string',
        description: 'The version of the shared overrides it last read or wrote',
      },
      parked: { type: 'array', items: ref('ParkedOverride') },
      lastReload: closed(
        {
          status: { type: 'string', enum: ['committed', 'unchanged', 'rejected', 'rolledBack'] },
          source: { type: 'string' },
          revision: revision(),
          at: dateTime(),
          reason: { type: 'string' },
        },
        { required: ['status', 'source', 'revision', 'at'] },
      ),
      pendingRestart: { type: 'array', items: { type: 'string' } },
      adapters: {
        type: 'array',
        items: closed({
          name: { type: 'string' },
          state: { type: 'string', enum: ['starting', 'running', 'failed', 'stopped'] },
        }),
      },
      heartbeatAt: dateTime(),
      ttlMs: { type: 'integer', minimum: 1 },
    },
    {
      required: [
        'id',
        'host',
        'pid',
        'revision',
        'configHash',
        'parked',
        'pendingRestart',
        'adapters',
        'heartbeatAt',
        'ttlMs',
      ],
    },
  ),
  FleetView: closed(
    {
      backend: { type: 'string', description: 'e.g. `postgres:hotconf/orders`, `etcd:orders`' },
      at: dateTime(),
      instances: { type: 'array', items: ref('FleetInstance') },
      lastChange: closed(
        {
          version: { type: 'string' },
          applied: { type: 'array', items: { type: 'string' } },
          refused: {
            type: 'array',
            items: closed({ id: { type: 'string' }, reason: { type: 'string' } }),
          },
          pending: { type: 'array', items: { type: 'string' } },
        },
        { description: 'The newest save of the shared overrides, and which instances took it' },
      ),
    },
    { required: ['backend', 'at', 'instances'] },
  ),
  PendingExpiry: closed(
    {
      path: { type: 'string' },
      at: dateTime(),
      revision: { ...revision(), description: 'The revision whose write set the deadline' },
      actor: { type: 'string' },
    },
    { required: ['path', 'at', 'revision'] },
  ),
  PendingProbation: closed(
    {
      revision: { ...revision(), description: 'The change on probation' },
      until: { ...dateTime(), description: 'When it is confirmed unless a check fails first' },
      source: { type: 'string' },
      actor: { type: 'string' },
      paths: { type: 'array', items: { type: 'string' }, description: 'What a revert puts back' },
    },
    { required: ['revision', 'until', 'source', 'paths'] },
  ),
  Session: closed({
    name: { type: 'string', description: "The token's name, recorded as the actor of its writes" },
    role: { type: 'string', enum: ['read', 'write', 'admin'] },
  }),
  Explanation: closed(
    {
      path: { type: 'string' },
      value: { description: 'The effective value, redacted where secret' },
      layer: { type: 'string', description: 'The layer that gave it (e.g. `defaults`, a file, `overrides`)' },
      deleted: { const: true, description: 'A runtime change deleted the key; a reset brings it back' },
      expires: closed(
        { at: dateTime(), revision: revision() },
        { description: 'The override at this path expires: when, and which revision set it' },
      ),
      shadowed: {
        type: 'array',
        description: 'Values of lower layers it hides, redacted where secret',
        items: closed({ layer: { type: 'string' }, value: {} }, { required: ['layer'] }),
      },
    },
    { required: ['path', 'layer', 'shadowed'] },
  ),
  StreamReady: closed({ revision: revision() }, { description: 'The `ready` event: the live revision' }),
  StreamResync: closed(
    { revision: revision(), reason: { type: 'string' } },
    { description: 'The `resync` event: the missed commits cannot be replayed; read the config again' },
  ),
  MergePatch: {
    type: 'object',
    additionalProperties: true,
    description: 'A JSON merge patch (RFC 7396) of the config: objects merge, `null` deletes',
  },
  SnapshotRequest: {
    type: 'object',
    properties: {
      label: { type: 'string', maxLength: 200 },
      tags: { type: 'array', maxItems: 50, items: { type: 'string' } },
    },
  },
  RollbackRequest: {
    type: 'object',
    properties: {
      revision: { type: 'integer', minimum: 1 },
      snapshot: { type: 'string', minLength: 1 },
      reason: reason(),
    },
    oneOf: [{ required: ['revision'] }, { required: ['snapshot'] }],
  },
  ReasonRequest: { type: 'object', properties: { reason: reason() } },
  ResetRequest: {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'Only the overrides under this dotted path' },
      reason: reason(),
    },
  },
  ImportRequest: {
    type: 'object',
    description: 'An export document; its redacted secrets keep their live values',
    properties: { config: { type: 'object', additionalProperties: true }, reason: reason() },
    required: ['config'],
  },
}

/** Response headers the routes send. */
export const HEADERS: Readonly<Record<string, JsonObject>> = {
  ETag: header('`"<incarnation>-<revision>"`: send it back in If-Match or If-None-Match', {
    type: 'string',
    pattern: '^"[0-9a-f]{16}-\\d+"$',
  }),
  Location: header('Where the new resource is', { type: 'string' }),
  'Cache-Control': header('Caching directives', { type: 'string' }),
  'Retry-After': header('Seconds to wait before trying again', { type: 'string', pattern: '^\\d+$' }),
  'WWW-Authenticate': header('The bearer challenge', { type: 'string', pattern: '^Bearer realm="hotconf"' }),
  AssetETag: header("The console file's content hash: send it back in If-None-Match", {
    type: 'string',
    pattern: '^"[0-9a-f]{1,8}-[0-9a-f]+"$',
  }),
  'Content-Security-Policy': header('Scripts and styles from this origin only, no inline code, no framing', {
    type: 'string',
    pattern: "^default-src 'self'",
  }),
  'X-Content-Type-Options': header('No content sniffing', { const: 'nosniff' }),
  'Referrer-Policy': header('No referrer', { const: 'no-referrer' }),
}

/** Components of `HEADERS` sent under another header's name (a response header object is keyed by its name). */
export const HEADER_NAMES: Readonly<Record<string, string>> = { AssetETag: 'ETag' }

/** Parameters more than one route takes. */
export const PARAMETERS: Readonly<Record<string, JsonObject>> = {
  ConfigPath: {
    name: 'path',
    in: 'path',
    required: true,
    description: 'A dotted config path, e.g. `pool.max`',
    schema: { type: 'string', maxLength: 512, pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$' },
  },
  SnapshotId: { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
  Limit: {
    name: 'limit',
    in: 'query',
    description: 'At most this many, newest first; absent means all retained',
    schema: { type: 'integer', minimum: 1, maximum: 999_999 },
  },
  IfMatch: {
    name: 'If-Match',
    in: 'header',
    description: 'Commit only if the config is still at this ETag (`*`: any); 412 otherwise',
    schema: { type: 'string' },
  },
  IfNoneMatch: {
    name: 'If-None-Match',
    in: 'header',
    description: '304 when the config is still at this ETag',
    schema: { type: 'string' },
  },
  XReason: {
    name: 'X-Reason',
    in: 'header',
    description: 'Why, for history, events and the audit log',
    schema: { type: 'string', maxLength: 1000 },
  },
  Ttl: {
    name: 'ttl',
    in: 'query',
    description:
      'The overrides this write sets expire after this long: an integer with a unit, `ms`, `s`, `m` or `h`',
    schema: { type: 'string', pattern: '^[1-9]\\d{0,9}(ms|s|m|h)$', examples: ['15m'] },
  },
  Probation: {
    name: 'probation',
    in: 'query',
    description:
      'The change this write commits stays on probation this long (reverted when a check of the store fails): an integer with a unit, `ms`, `s`, `m` or `h`',
    schema: { type: 'string', pattern: '^[1-9]\\d{0,9}(ms|s|m|h)$', examples: ['5m'] },
  },
  ProbationRevision: {
    name: 'revision',
    in: 'path',
    required: true,
    description: 'The revision on probation',
    schema: { type: 'integer', minimum: 1 },
  },
  LastEventId: {
    name: 'Last-Event-ID',
    in: 'header',
    description: 'The revision last seen: the commits after it are replayed first',
    schema: { type: 'string', pattern: '^\\d{1,15}$' },
  },
}

/** `{ $ref }` to a schema of `components.schemas`. */
export function ref(name: string): JsonObject {
  return { $ref: `#/components/schemas/${name}` }
}

// --- internal ---

function closed(
  properties: Record<string, JsonObject>,
  extra: { required?: string[]; description?: string } = {},
) {
  return {
    type: 'object',
    ...(extra.description === undefined ? {} : { description: extra.description }),
    properties,
    required: extra.required ?? Object.keys(properties),
    additionalProperties: false,
  }
}

function header(description: string, schema: JsonObject): JsonObject {
  return { description, schema }
}

function revision(): JsonObject {
  return { type: 'integer', minimum: 0 }
}

function count(): JsonObject {
  return { type: 'integer', minimum: 0 }
}

function dateTime(): JsonObject {
  return { type: 'string', format: 'date-time' }
}

function reason(): JsonObject {
  return { type: 'string', maxLength: 1000, description: 'Why, for history (or the X-Reason header)' }
}
