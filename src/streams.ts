// Deep imports, which rxjs exports (`./internal/*`): its barrel loads every operator, ≈ 3× the CPU of these six
// modules at start (bench/README.md, measure 8). They are the barrel's own files, so `instanceof` still holds.

import type { Observer, Operator, Subscription } from 'rxjs'
import { BehaviorSubject } from 'rxjs/internal/BehaviorSubject'
import { Observable } from 'rxjs/internal/Observable'
import { distinctUntilChanged } from 'rxjs/internal/operators/distinctUntilChanged'
import { map } from 'rxjs/internal/operators/map'
import { Subject } from 'rxjs/internal/Subject'
import { Subscriber } from 'rxjs/internal/Subscriber'
import type { ChangeSet, StoreEvent } from './types.ts'

/**
 * An Observable whose subscribers cannot hurt the store or each other: a throwing callback is caught, reported and
 * counted, where plain RxJS would rethrow it in a timer and crash the host. `lift` keeps piped streams isolated too.
 */
class IsolatedObservable<T> extends Observable<T> {
  constructor(
    private readonly hooks: ObserverHooks,
    subscribe?: (subscriber: Subscriber<T>) => unknown,
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

export interface ObserverHooks {
  observers: number
  onObserverError(error: unknown): void
}

/** The store's outward streams. Only this module (and adapters that need them) import rxjs. */
export class StoreStreams<TConfig> {
  readonly #config: BehaviorSubject<TConfig>
  readonly #changes = new Subject<ChangeSet>()
  readonly #events = new Subject<StoreEvent>()
  readonly config$: Observable<TConfig>
  readonly changes$: Observable<ChangeSet>
  readonly events$: Observable<StoreEvent>

  constructor(
    initial: TConfig,
    readonly hooks: ObserverHooks,
  ) {
    this.#config = new BehaviorSubject(initial)
    this.config$ = this.#isolate(this.#config)
    this.changes$ = this.#isolate(this.#changes)
    this.events$ = this.#isolate(this.#events)
  }

  /** Replays the current slice, then emits when its identity changes (structural sharing makes this exact). */
  select<R>(selector: (config: TConfig) => R): Observable<R> {
    return this.config$.pipe(map(selector), distinctUntilChanged())
  }

  publish(config: TConfig, changeSet: ChangeSet): void {
    this.#config.next(config)
    this.#changes.next(changeSet)
  }

  event(event: StoreEvent): void {
    if (this.#events.observed) this.#events.next(event)
  }

  get eventsObserved(): boolean {
    return this.#events.observed
  }

  complete(): void {
    this.#config.complete()
    this.#changes.complete()
    this.#events.complete()
  }

  // --- internal ---

  #isolate<T>(subject: Subject<T>): Observable<T> {
    return new IsolatedObservable<T>(this.hooks, (subscriber) => subject.subscribe(subscriber))
  }
}
