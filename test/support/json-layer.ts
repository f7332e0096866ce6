import { readFile } from 'node:fs/promises'
import type { ConfigSource } from '../../src/index.ts'

/** A layer read from a JSON file on every load, counting its reads (for tests of reload, not of file parsing). */
export function jsonLayer(file: string): ConfigSource & { reads: number } {
  const layer = {
    name: `json:${file}`,
    reads: 0,
    async load() {
      layer.reads++
      return { data: JSON.parse(await readFile(file, 'utf8')), files: [file] }
    },
  }
  return layer
}

/** Polls until `check` holds (for events that arrive from outside: signals, watchers, other processes). */
export async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms`)
    await new Promise((r) => setTimeout(r, 5))
  }
}
