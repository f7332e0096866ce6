import { h } from './dom.ts'
import { displayOf } from './schema.ts'

/** A committed change as `GET /stream` and `GET /history` carry it. */
export interface ChangeSet {
  readonly revision: number
  readonly at: string
  readonly source: string
  readonly actor?: string
  readonly reason?: string
  readonly changes: readonly Change[]
}

export interface Change {
  readonly path: string
  readonly from: unknown
  readonly to: unknown
}

/** A table of changes: path, old → new. */
export function diffTable(changes: readonly Change[], caption: string): HTMLElement {
  if (changes.length === 0) return h('p', {}, 'No changes: the config already has these values.')
  return h(
    'table',
    { class: 'diff' },
    h('caption', {}, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Path'),
        h('th', { scope: 'col' }, 'Old'),
        h('th', { scope: 'col' }, 'New'),
      ),
    ),
    h(
      'tbody',
      {},
      changes.map((c) =>
        h(
          'tr',
          {},
          h('td', {}, h('code', {}, c.path)),
          h('td', { class: 'old' }, displayOf(c.from)),
          h('td', { class: 'new' }, displayOf(c.to)),
        ),
      ),
    ),
  )
}
