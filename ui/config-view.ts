import type { Api } from './api.ts'
import type { ChangeSet } from './changes.ts'
import { fill, h } from './dom.ts'
import { createEditState } from './edits.ts'
import { type LeafContext, leafOf } from './leaf.ts'
import { createReviewPanel } from './review-panel.ts'
import {
  childSchema,
  displayOf,
  dotted,
  isBranch,
  type JsonSchema,
  overlaps,
  type Segments,
} from './schema.ts'
import type { Session } from './session.ts'

export interface ConfigView {
  readonly element: HTMLElement
  /** Reads the config again (after a commit, a resync, a 412). */
  reload(): Promise<void>
  /** A commit made elsewhere: highlight what changed and flag edits it overlaps. */
  changed(changeSet: ChangeSet): Promise<void>
}

/**
 * The config as a tree (collapsible objects, a filter by path), and for writers the edit → review → commit flow:
 * edits collect into one merge patch, reviewed and committed by the panel beside the tree.
 */
export function createConfigView(api: Api, session: Session, announce: (text: string) => void): ConfigView {
  const writable = session.role !== 'read'
  let config: unknown
  let etag: string | null = null
  let schema: JsonSchema | undefined
  let filter = ''
  const state = createEditState()
  const collapsed = new Set<string>()
  const updated = new Set<string>()

  const revision = h('span', { class: 'muted' })
  const filterInput = h('input', { id: 'filter', type: 'search', autocomplete: 'off' })
  const tree = h('ul', { class: 'tree' })
  filterInput.addEventListener('input', () => {
    filter = filterInput.value.trim().toLowerCase()
    renderTree()
  })
  const panel = writable
    ? createReviewPanel(api, state, { etag: () => etag, reload, renderTree, announce })
    : null
  const leaves: LeafContext = {
    api,
    writable,
    state,
    updated,
    edited: () => {
      state.reviewed = undefined
      panel?.render(true)
    },
  }

  const element = h(
    'section',
    { 'aria-labelledby': 'config-title' },
    h('h2', { id: 'config-title' }, 'Config ', revision),
    h('div', { class: 'filter' }, h('label', { for: 'filter' }, 'Filter by path'), filterInput),
    writable ? null : h('p', { class: 'muted' }, `Read only: token "${session.name}" has the read role.`),
    h('div', { class: 'config-layout' }, tree, panel?.element),
  )

  async function reload(): Promise<void> {
    const [values, described] = await Promise.all([
      api.call<unknown>('GET', ''),
      schema ? undefined : api.call<JsonSchema>('GET', 'schema?io=input'),
    ])
    if (described?.ok) schema = described.value
    if (!values.ok) return announce(`Could not read the config: ${values.problem.detail}`)
    config = values.value
    etag = values.etag
    for (const edit of state.edits.values()) edit.old = valueAt(edit.segments)
    fill(revision, `revision ${etag?.replace(/^.*-(\d+)"$/, '$1') ?? '?'}`)
    renderTree()
    panel?.render()
  }

  async function changed(changeSet: ChangeSet): Promise<void> {
    const paths = changeSet.changes.map((c) => c.path)
    for (const edit of state.edits.values()) {
      const hit = changeSet.changes.find((c) => overlaps(c.path, edit.path))
      if (!hit) continue
      edit.conflict = `${hit.path} changed elsewhere to ${displayOf(hit.to)} (revision ${changeSet.revision})`
      // The reviewed diff was against a value that is gone: review again before committing over it.
      state.reviewed = undefined
    }
    for (const p of paths) updated.add(p)
    setTimeout(() => {
      for (const p of paths) updated.delete(p)
      renderTree()
    }, 5000)
    await reload()
  }

  function renderTree(): void {
    // Redrawn in place while someone may be typing: focus goes back to the control that had it.
    const focused = document.activeElement?.id
    fill(tree, nodesOf(config, schema, []))
    if (focused) document.getElementById(focused)?.focus()
  }

  function nodesOf(value: unknown, s: JsonSchema | undefined, at: Segments): HTMLElement[] {
    if (!isBranch(s, value)) return []
    const nodes: HTMLElement[] = []
    for (const [key, child] of Object.entries(value)) {
      const segments = [...at, key]
      const path = dotted(segments)
      const cs = childSchema(s, key)
      if (isBranch(cs, child)) {
        const inner = nodesOf(child, cs, segments)
        if (inner.length === 0 && filter !== '') continue
        const details = h(
          'details',
          { open: filter !== '' || !collapsed.has(path) },
          h('summary', {}, key),
          h('ul', {}, inner),
        )
        details.addEventListener('toggle', () => {
          if (details.open) collapsed.delete(path)
          else collapsed.add(path)
        })
        nodes.push(h('li', { class: 'branch' }, details))
      } else if (filter === '' || path.toLowerCase().includes(filter)) {
        nodes.push(leafOf(leaves, segments, child, cs))
      }
    }
    return nodes
  }

  function valueAt(segments: Segments): unknown {
    let at: unknown = config
    for (const key of segments) at = (at as Record<string, unknown> | undefined)?.[key]
    return at
  }

  return { element, reload, changed }
}
