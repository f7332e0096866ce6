import {
  ErrorCode,
  type JsonValue,
  OpenFeatureEventEmitter,
  type Provider,
  ProviderEvents,
  type ResolutionDetails,
  StandardResolutionReasons,
} from '@openfeature/server-sdk'
import type { ChangeSet, ConfigStore, StoreEvent } from '../../types.ts'

/** Options of `HotconfProvider`. */
export interface HotconfProviderOptions {
  /** The dotted path of the flags in the config; a flag key is a dotted path under it. @default '' (the root) */
  readonly prefix?: string
}

/**
 * An OpenFeature provider that reads flags from a store: `OpenFeature.setProvider(new HotconfProvider(store, {
 * prefix: 'features' }))`, then `client.getBooleanValue('newCheckout', false)` reads `features.newCheckout`.
 *
 * A flag resolves to the value at `prefix.key` in the committed config, reason `STATIC`, with the revision in
 * `flagMetadata`. A key with no value, or under a `secret` key (never a flag: hooks log values), gives the default
 * with `FLAG_NOT_FOUND`; a value of another type, the default with `TYPE_MISMATCH`. A commit that changes values
 * under the prefix emits `ConfigurationChanged` with `flagsChanged`, the changed keys. An adapter that fails emits
 * `Error` when the store cannot do without it (not `optional`), `Stale` when it can; `Ready` once none has failed
 * any more. `onClose` (the SDK replacing the provider, or shutting down) stops listening and leaves the store open.
 */
export class HotconfProvider implements Provider {
  readonly metadata = { name: 'hotconf' } as const
  readonly runsOn = 'server' as const
  readonly events = new OpenFeatureEventEmitter()
  readonly #store: ConfigStore<unknown>
  readonly #prefix: string
  readonly #subscriptions: { unsubscribe(): void }[] = []
  #failing = false

  constructor(store: ConfigStore<unknown>, options: HotconfProviderOptions = {}) {
    this.#store = store
    this.#prefix = options.prefix ?? ''
  }

  async initialize(): Promise<void> {
    this.#subscriptions.push(
      this.#store.changes$.subscribe((change) => this.#changed(change)),
      this.#store.events$.subscribe((event) => this.#adapter(event)),
    )
  }

  async onClose(): Promise<void> {
    for (const subscription of this.#subscriptions.splice(0)) subscription.unsubscribe()
  }

  async resolveBooleanEvaluation(key: string, defaultValue: boolean): Promise<ResolutionDetails<boolean>> {
    return this.#resolve(key, defaultValue, (v): v is boolean => typeof v === 'boolean')
  }

  async resolveStringEvaluation(key: string, defaultValue: string): Promise<ResolutionDetails<string>> {
    return this.#resolve(key, defaultValue, (v): v is string => typeof v === 'string')
  }

  async resolveNumberEvaluation(key: string, defaultValue: number): Promise<ResolutionDetails<number>> {
    return this.#resolve(key, defaultValue, (v): v is number => typeof v === 'number')
  }

  async resolveObjectEvaluation<T extends JsonValue>(
    key: string,
    defaultValue: T,
  ): Promise<ResolutionDetails<T>> {
    return this.#resolve(key, defaultValue, (v): v is T => typeof v === 'object' && v !== null)
  }

  // --- internal ---

  #resolve<T>(key: string, defaultValue: T, isType: (value: unknown) => value is T): ResolutionDetails<T> {
    const path = this.#prefix === '' ? key : `${this.#prefix}.${key}`
    const flagMetadata = { revision: this.#store.revision }
    const value = valueAt(this.#store.current, path)
    const error = (errorCode: ErrorCode, errorMessage: string): ResolutionDetails<T> => ({
      value: defaultValue,
      reason: StandardResolutionReasons.ERROR,
      errorCode,
      errorMessage,
      flagMetadata,
    })
    // A secret, or an object with one below it, comes back redacted: a different value.
    if (value === undefined || this.#store.redact(value, path) !== value)
      return error(ErrorCode.FLAG_NOT_FOUND, `no flag "${key}" at ${path} in the config`)
    if (!isType(value))
      return error(ErrorCode.TYPE_MISMATCH, `the flag "${key}" at ${path} is ${describe(value)}`)
    return { value, reason: StandardResolutionReasons.STATIC, flagMetadata }
  }

  #changed(change: ChangeSet): void {
    const under = this.#prefix === '' ? '' : `${this.#prefix}.`
    const metadata = { revision: change.revision }
    // A change at the prefix or above it (the flags' object appeared or went) may concern any flag: no list.
    if (change.changes.some((c) => c.path === this.#prefix || under.startsWith(`${c.path}.`)))
      return void this.events.emit(ProviderEvents.ConfigurationChanged, { metadata })
    const flagsChanged = change.changes
      .filter((c) => c.path.startsWith(under))
      .map((c) => c.path.slice(under.length))
    if (flagsChanged.length > 0)
      this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged, metadata })
  }

  #adapter(event: StoreEvent): void {
    if (event.type !== 'adapter') return
    const failed = this.#store.status().adapters.filter((a) => a.state === 'failed')
    if (event.state === 'failed') {
      this.#failing = true
      const required = failed.some((a) => a.optional !== true)
      const message = `adapter "${event.name}" failed${event.error ? `: ${event.error}` : ''}`
      this.events.emit(required ? ProviderEvents.Error : ProviderEvents.Stale, { message })
    } else if (this.#failing && failed.length === 0 && event.state === 'running') {
      this.#failing = false
      this.events.emit(ProviderEvents.Ready, { message: `adapter "${event.name}" recovered` })
    }
  }
}

// --- internal ---

/** The value at a dotted path of plain objects, own keys only; `undefined` when there is none. */
function valueAt(root: unknown, path: string): unknown {
  let node = root
  for (const key of path === '' ? [] : path.split('.')) {
    if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, key))
      return undefined
    node = (node as Record<string, unknown>)[key]
  }
  return node
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`
}
