/** A connection (client, pool) created on first use and released once. @internal */
export interface ConnectionRef<T> {
  get(): Promise<T>
  close(): Promise<void>
}

/**
 * `count` handles on one connection, one per part of a cluster (backend, adapter): the connection is released once
 * every handle has closed, so the store closing its parts in any order never cuts one off early. @internal
 */
export function sharedBy<T>(ref: ConnectionRef<T>, count: number): ConnectionRef<T>[] {
  let open = count
  return Array.from({ length: count }, () => {
    let closed = false
    return {
      get: () => ref.get(),
      async close() {
        if (closed) return
        closed = true
        if (--open === 0) await ref.close()
      },
    }
  })
}
