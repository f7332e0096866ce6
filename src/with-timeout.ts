/**
 * Runs `work` and settles as it does, or rejects with `expired()` after `ms`, aborting the signal `work` was given
 * (with that error as the reason). Whatever `work` settles with after that is dropped: a late result is never used.
 * A synchronous throw from `work` is a rejection.
 */
export async function withTimeout<T>(
  ms: number,
  work: (signal: AbortSignal) => T | PromiseLike<T>,
  expired: () => Error,
): Promise<T> {
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = expired()
      controller.abort(error)
      reject(error)
    }, ms)
  })
  const run = Promise.resolve().then(() => work(controller.signal))
  // A failure that lands after the timeout has nobody left to tell.
  run.catch(() => {})
  try {
    return await Promise.race([run, timeout])
  } finally {
    clearTimeout(timer)
  }
}
