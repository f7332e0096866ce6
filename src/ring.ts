/** A bounded list that forgets its oldest items; newest-first reads. */
export class Ring<T> {
  readonly #items: (T | undefined)[]
  #start = 0
  #size = 0

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be an integer >= 1, got ${capacity}`)
    this.#items = new Array(capacity)
  }

  get size(): number {
    return this.#size
  }

  /** Adds an item; returns the one it pushed out, if any. */
  push(item: T): T | undefined {
    const end = (this.#start + this.#size) % this.capacity
    const evicted = this.#size === this.capacity ? this.#items[end] : undefined
    this.#items[end] = item
    if (this.#size === this.capacity) this.#start = (this.#start + 1) % this.capacity
    else this.#size++
    return evicted
  }

  /** Newest first, at most `limit`. */
  newest(limit = this.#size): T[] {
    const n = Math.max(0, Math.min(limit, this.#size))
    const out: T[] = new Array(n)
    for (let i = 0; i < n; i++) out[i] = this.#items[(this.#start + this.#size - 1 - i) % this.capacity] as T
    return out
  }

  find(predicate: (item: T) => boolean): T | undefined {
    for (let i = this.#size - 1; i >= 0; i--) {
      const item = this.#items[(this.#start + i) % this.capacity] as T
      if (predicate(item)) return item
    }
    return undefined
  }
}
