import type * as Crypto from 'node:crypto'

/**
 * `node:crypto`, loaded on first use instead of with hotconf: importing it costs ≈ 5 ms of a cold start here
 * (issue 23, measure 8), and a store on its way to ready neither hashes nor draws a random name unless it persists.
 */
export function nodeCrypto(): typeof Crypto {
  return process.getBuiltinModule('node:crypto')
}
