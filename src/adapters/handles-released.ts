import { setImmediate } from 'node:timers/promises'

/**
 * Resolves once the event loop has run its close phase, so the handles closed before the call (an `fs.watch`, a
 * listening socket) are released and gone from `process.getActiveResourcesInfo()`. `FSWatcher.close()` and
 * `server.close()` only start closing: libuv frees the handle in the close phase of the loop's turn, which runs
 * after the check phase; two `setImmediate` turns are sure to pass one such phase, whichever phase we are in now.
 */
export async function handlesReleased(): Promise<void> {
  await setImmediate()
  await setImmediate()
}
