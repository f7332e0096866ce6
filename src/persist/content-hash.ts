import { nodeCrypto } from '../node-crypto.ts'

/** The hash a file's content is recognised by: what the file backend reports as its version, and watchers compare. */
export function contentHash(content: string | Uint8Array): string {
  return nodeCrypto().createHash('sha256').update(content).digest('base64url')
}
