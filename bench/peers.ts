import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

/** The libraries users would pick instead, and the load tools; devDependencies of bench/ only. */
export const PEERS = ['config', 'convict', 'nconf', 'c12', 'chokidar', 'autocannon'] as const
export type PeerName = (typeof PEERS)[number]

/** bench/node_modules, where `npm ci --prefix bench` puts the peers. */
export const peersDir = fileURLToPath(new URL('./node_modules', import.meta.url))

/** What to do when the peers are missing, in one line. */
export const INSTALL_HINT = 'run `npm ci --prefix bench` once'

/** A peer module, or why the cell that needs it says n/a. */
export type Loaded<T> =
  | { readonly ok: true; readonly module: T }
  | { readonly ok: false; readonly why: string }

/**
 * Loads a peer from bench/node_modules (CommonJS through `require`, ESM-only ones through `import`). Peers are typed
 * `any`: they are not installed when the library is typechecked, and their own typings are not what is measured.
 */
export async function loadPeer(name: PeerName): Promise<Loaded<any>> {
  if (!existsSync(`${peersDir}/${name}/package.json`)) {
    return {
      ok: false,
      why: `n/a: ${name === 'config' ? 'node-config (`config`)' : name} is not installed (${INSTALL_HINT})`,
    }
  }
  try {
    return { ok: true, module: ESM_ONLY.has(name) ? await import(name) : require(name) }
  } catch (error) {
    return { ok: false, why: `n/a: ${name} does not load: ${(error as Error).message.split('\n')[0]}` }
  }
}

/** The installed version of a peer, for the raw results. */
export function peerVersion(name: PeerName): string | undefined {
  try {
    return (JSON.parse(readFileSync(`${peersDir}/${name}/package.json`, 'utf8')) as { version: string })
      .version
  } catch {
    return undefined
  }
}

// --- internal ---

const require = createRequire(import.meta.url)
const ESM_ONLY = new Set<PeerName>(['c12', 'chokidar'])
