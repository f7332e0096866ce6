// immer is loaded by the first update that needs a draft (a recipe, an import), not with the store: every other
// write is a path copy, and its import was ≈ 5 ms of a cold start here (issue 23, measure 8). It is loaded with
// `require`, because `prepare` (and so `dryRun`) is synchronous.

import { createRequire } from 'node:module'
import type { current, Immer } from 'immer'

/** The immer a store's drafts come from: its own instance, so autoFreeze holds whatever the app set globally. */
export interface Drafts {
  readonly immer: Immer
  readonly current: typeof current
}

let loaded: Drafts | undefined

export function drafts(): Drafts {
  if (loaded === undefined) {
    const module = createRequire(import.meta.url)('immer') as typeof import('immer')
    loaded = { immer: new module.Immer({ autoFreeze: true }), current: module.current }
  }
  return loaded
}
