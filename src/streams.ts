// rxjs is loaded on first use of a stream, not with the store: a service that only reads its config never pays for
// it (≈ 40–50 ms of a cold start here, more than the rest of hotconf; bench/README.md, measure 8). It is loaded with
// `require`, because a getter cannot wait for `import()`, and from the deep paths rxjs exports (`./internal/*`): its
// barrel loads every operator. These are the files the barrel itself requires under Node, so `instanceof` holds.

import { createRequire } from 'node:module'
import type {
  BehaviorSubject,
  Observable,
  Observer,
  Operator,
  OperatorFunction,
  Subject,
  Subscription,
} from 'rxjs'
import type { ChangeSet, StoreEvent } from './types.ts'

export interface ObserverHooks {
  observers: number
  onObserverError(error: unknown): void
}

/** The store's outward streams, each made on first use. Only this module (and adapters that need them) load rxjs. */
export class StoreStreams<TConfig> {
  /** The last published config: what `config$` replays when it is first made. */
  #current: TConfig
  #closed = false
  #config: Subject<TConfig> | undefined
  #changes: Subject<ChangeSet> | undefined
  #events: Subject<StoreEvent> | undefined
  #config$: Observable<TConfig> | undefined
  #changes$: Observable<ChangeSet> | undefined
  #events$: Observable<StoreEvent> | undefined

  constructor(
    initial: TConfig,
    readonly hooks: ObserverHooks,
  ) {
    this.#current = initial
  }

  get config$(): Observable<TConfig> {
    if (this.#config$) return this.#config$
    this.#config = this.#made(new (rx().BehaviorSubject)(this.#current))
    this.#config$ = this.#isolate(this.#config)
    return this.#config$
  }

  get changes$(): Observable<ChangeSet> {
    if (this.#changes$) return this.#changes$
    this.#changes = this.#made(new (rx().Subject)<ChangeSet>())
    this.#changes$ = this.#isolate(this.#changes)
    return this.#changes$
  }

  get events$(): Observable<StoreEvent> {
    if (this.#events$) return this.#events$
    this.#events = this.#made(new (rx().Subject)<StoreEvent>())
    this.#events$ = this.#isolate(this.#events)
    return this.#events$
  }

  /** Replays the current slice, then emits when its identity changes (structural sharing makes this exact). */
  select<R>(selector: (config: TConfig) => R): Observable<R> {
    const { map, distinctUntilChanged } = rx()
    return this.config$.pipe(map(selector), distinctUntilChanged())
  }

  publish(config: TConfig, changeSet: ChangeSet): void {
    this.#current = config
    this.#config?.next(config)
    this.#changes?.next(changeSet)
  }

  event(event: StoreEvent): void {
    if (this.#events?.observed) this.#events.next(event)
  }

  get eventsObserved(): boolean {
    return this.#events?.observed ?? false
  }

  complete(): void {
    this.#closed = true
    this.#config?.complete()
    this.#changes?.complete()
    this.#events?.complete()
  }

  // --- internal ---

  /** A subject made after `complete()` is complete too: a subscriber gets `complete`, as it would have before. */
  #made<T>(subject: Subject<T>): Subject<T> {
    if (this.#closed) subject.complete()
    return subject
  }

  #isolate<T>(subject: Subject<T>): Observable<T> {
    return new (rx().IsolatedObservable)<T>(this.hooks, (subscriber) => subject.subscribe(subscriber))
  }
}

// --- internal ---

interface Rx {
  readonly BehaviorSubject: typeof BehaviorSubject
  readonly Subject: typeof Subject
  readonly map: <T, R>(project: (value: T) => R) => OperatorFunction<T, R>
  readonly distinctUntilChanged: <T>() => OperatorFunction<T, T>
  readonly IsolatedObservable: new <T>(
    hooks: ObserverHooks,
    subscribe: (subscriber: Observer<T>) => unknown,
  ) => Observable<T>
}

let loaded: Rx | undefined

function rx(): Rx {
  loaded ??= load()
  return loaded
}

function load(): Rx {
  const requireCjs = createRequire(import.meta.url)
  const rxjs = (path: string) => requireCjs(`rxjs/internal/${path}`) as typeof import('rxjs')
  const { Observable } = rxjs('Observable')
  const { Subscriber } = rxjs('Subscriber')

  /**
   * An Observable whose subscribers cannot hurt the store or each other: a throwing callback is caught, reported and
   * counted, where plain RxJS would rethrow it in a timer and crash the host. `lift` keeps piped streams isolated
   * too.
   */
  class IsolatedObservable<T> extends Observable<T> {
    constructor(
      private readonly hooks: ObserverHooks,
      subscribe?: (subscriber: Observer<T>) => unknown,
    ) {
      super(subscribe as never)
    }

    override lift<R>(operator?: Operator<T, R>): Observable<R> {
      const lifted = new IsolatedObservable<R>(this.hooks)
      lifted.source = this
      lifted.operator = operator
      return lifted
    }

    override subscribe(observerOrNext?: Partial<Observer<T>> | ((value: T) => void) | null): Subscription {
      // Operators subscribe with Subscriber instances: only callbacks from outside need a guard.
      if (observerOrNext instanceof Subscriber) return super.subscribe(observerOrNext)
      const hooks = this.hooks
      const guard =
        <A extends unknown[]>(fn: ((...args: A) => void) | undefined) =>
        (...args: A) => {
          try {
            fn?.(...args)
          } catch (error) {
            hooks.onObserverError(error)
          }
        }
      const o = typeof observerOrNext === 'function' ? { next: observerOrNext } : (observerOrNext ?? {})
      hooks.observers++
      const subscription = super.subscribe({
        next: guard(o.next?.bind(o)),
        error: guard(o.error?.bind(o) ?? ((error: unknown) => hooks.onObserverError(error))),
        complete: guard(o.complete?.bind(o)),
      })
      subscription.add(() => {
        hooks.observers--
      })
      return subscription
    }
  }

  return {
    IsolatedObservable,
    BehaviorSubject: rxjs('BehaviorSubject').BehaviorSubject,
    Subject: rxjs('Subject').Subject,
    map: rxjs('operators/map').map,
    distinctUntilChanged: rxjs('operators/distinctUntilChanged').distinctUntilChanged,
  }
}
