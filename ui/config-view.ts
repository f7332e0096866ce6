import type { Api, Problem } from './api.ts'
import { fill, h } from './dom.ts'
import {
  childSchema,
  choices,
  displayOf,
  dotted,
  flag,
  isBranch,
  type JsonSchema,
  type Kind,
  kindOf,
  mergePatchOf,
  overlaps,
  parseText,
  type Segments,
  textOf,
} from './schema.ts'
import type { Session } from './session.ts'

/** A committed change as `GET /stream` and `GET /history` carry it. */
export interface ChangeSet {
  readonly revision: number
  readonly at: string
  readonly source: string
  readonly actor?: string
  readonly reason?: string
  readonly changes: readonly { readonly path: string; readonly from: unknown; readonly to: unknown }[]
}

export interface ConfigView {
  readonly element: HTMLElement
  /** Reads the config again (after a commit, a resync, a 412). */
  reload(): Promise<void>
  /** A commit made elsewhere: highlight what changed and flag edits it overlaps. */
  changed(changeSet: ChangeSet): Promise<void>
}

/**
 * The config as a tree, with explain, and for writers the edit → review → commit flow: edits collect into one
 * merge patch, "Review" dry-runs it (`POST /validate`), "Commit" sends it with `If-Match` and a reason.
 */
export function createConfigView(api: Api, session: Session, announce: (text: string) => void): ConfigView {
  const writable = session.role !== 'read'
  let config: unknown
  let etag: string | null = null
  let schema: JsonSchema | undefined
  let filter = ''
  const edits = new Map<string, Edit>()
  const collapsed = new Set<string>()
  const updated = new Set<string>()
  const fieldErrors = new Map<string, string[]>()
  let reviewed: { readonly patch: string; readonly changes: ChangeSet['changes'] } | undefined

  const revision = h('span', { class: 'muted' })
  const filterInput = h('input', { id: 'filter', type: 'search', autocomplete: 'off' })
  const tree = h('ul', { class: 'tree' })
  const reason = h('input', { id: 'reason', autocomplete: 'off', 'aria-describedby': 'reason-error' })
  const reasonError = h('p', { id: 'reason-error', class: 'field-error' })
  const pendingList = h('ul', { class: 'pending-list' })
  const result = h('div', { class: 'review', role: 'status' })
  const reviewButton = h('button', { type: 'button', onclick: () => void review() }, 'Review')
  const commitButton = h(
    'button',
    { type: 'button', class: 'primary', onclick: () => void commit() },
    'Commit',
  )
  const discardButton = h('button', { type: 'button', onclick: discard }, 'Discard')

  filterInput.addEventListener('input', () => {
    filter = filterInput.value.trim().toLowerCase()
    renderTree()
  })

  const pending = writable
    ? h(
        'section',
        { class: 'pending', 'aria-labelledby': 'pending-title' },
        h('h2', { id: 'pending-title' }, 'Pending change'),
        pendingList,
        h('label', { for: 'reason' }, 'Reason'),
        reason,
        reasonError,
        h('div', { class: 'actions' }, reviewButton, commitButton, discardButton),
        result,
      )
    : null

  const element = h(
    'section',
    { 'aria-labelledby': 'config-title' },
    h('h2', { id: 'config-title' }, 'Config ', revision),
    h('div', { class: 'filter' }, h('label', { for: 'filter' }, 'Filter by path'), filterInput),
    writable ? null : h('p', { class: 'muted' }, `Read only: token "${session.name}" has the read role.`),
    h('div', { class: 'config-layout' }, tree, pending),
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
    for (const edit of edits.values()) edit.old = valueAt(edit.segments)
    fill(revision, `revision ${etag?.replace(/^.*-(\d+)"$/, '$1') ?? '?'}`)
    renderTree()
    renderPending()
  }

  async function changed(changeSet: ChangeSet): Promise<void> {
    const paths = changeSet.changes.map((c) => c.path)
    for (const edit of edits.values()) {
      const hit = changeSet.changes.find((c) => overlaps(c.path, edit.path))
      if (hit)
        edit.conflict = `${hit.path} changed elsewhere to ${displayOf(hit.to)} (revision ${changeSet.revision})`
    }
    if (paths.some((p) => [...edits.keys()].some((e) => overlaps(p, e)))) reviewed = undefined
    for (const p of paths) updated.add(p)
    setTimeout(() => {
      for (const p of paths) updated.delete(p)
      renderTree()
    }, 5000)
    await reload()
  }

  function renderTree(): void {
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
        nodes.push(leafOf(segments, child, cs))
      }
    }
    return nodes
  }

  function leafOf(segments: Segments, value: unknown, s: JsonSchema | undefined): HTMLElement {
    const path = dotted(segments)
    const id = `edit-${path}`
    const secret = flag(s, 'x-hotconf-secret')
    const edit = edits.get(path)
    const errors = fieldErrors.get(path) ?? []
    const notes = [edit?.conflict, ...errors].filter((n): n is string => n !== undefined)
    const explainPanel = h('div', { class: 'explain', id: `explain-${path}`, hidden: true })
    const explainButton = h('button', {
      type: 'button',
      class: 'small',
      'aria-expanded': 'false',
      'aria-controls': `explain-${path}`,
      'aria-label': `Explain ${path}`,
    })
    explainButton.append('Explain')
    explainButton.addEventListener('click', () => void explain(path, explainButton, explainPanel))
    return h(
      'li',
      { class: `leaf${updated.has(path) ? ' updated' : ''}${edit ? ' edited' : ''}`, 'data-path': path },
      writable ? h('label', { for: id, class: 'path' }, path) : h('span', { class: 'path' }, path),
      h('span', { class: 'value' }, secret ? '[redacted]' : displayOf(value)),
      secret ? h('span', { class: 'badge' }, 'secret') : null,
      flag(s, 'x-hotconf-restart') ? h('span', { class: 'badge restart' }, 'restart to apply') : null,
      updated.has(path) ? h('span', { class: 'badge live' }, 'updated') : null,
      explainButton,
      writable ? control(segments, value, s, id, secret, edit) : null,
      notes.length > 0
        ? h('p', { class: 'field-error', id: `error-${path}`, role: 'alert' }, notes.join('; '))
        : null,
      explainPanel,
    )
  }

  function control(
    segments: Segments,
    value: unknown,
    s: JsonSchema | undefined,
    id: string,
    secret: boolean,
    edit: Edit | undefined,
  ): HTMLElement {
    const path = dotted(segments)
    const kind = kindOf(s, value)
    const text = edit?.text ?? (secret ? '' : textOf(kind, value))
    const common = { id, 'aria-describedby': `error-${path}` }
    let input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement
    if (kind === 'boolean' || kind === 'enum') {
      const options = kind === 'boolean' ? [true, false] : choices(s)
      input = h(
        'select',
        common,
        options.map((o) => {
          const t = JSON.stringify(o)
          return h('option', { value: t, selected: t === text }, displayOf(o))
        }),
      )
    } else if (kind === 'json') {
      input = h('textarea', { ...common, rows: Math.min(8, text.split('\n').length), spellcheck: 'false' })
      input.value = text
    } else {
      input = h('input', {
        ...common,
        type: secret ? 'password' : 'text',
        inputmode: kind === 'number' ? 'decimal' : undefined,
        placeholder: secret ? 'unchanged' : undefined,
        autocomplete: 'off',
      })
      input.value = text
    }
    const onInput = () => {
      const parsed = parseText(kind === 'enum' || kind === 'boolean' ? 'json' : kind, input.value)
      const same = secret
        ? input.value === ''
        : parsed.ok && JSON.stringify(parsed.value) === JSON.stringify(value)
      if (same) edits.delete(path)
      else {
        const prior = edits.get(path)
        edits.set(path, {
          segments,
          path,
          kind,
          text: input.value,
          old: value,
          parsed,
          ...(prior?.conflict === undefined ? {} : { conflict: prior.conflict }),
        })
      }
      fieldErrors.delete(path)
      input.closest('li')?.classList.toggle('edited', !same)
      reviewed = undefined
      fill(result)
      renderPending()
    }
    input.addEventListener(kind === 'boolean' || kind === 'enum' ? 'change' : 'input', onInput)
    return input
  }

  async function explain(path: string, button: HTMLButtonElement, panel: HTMLElement): Promise<void> {
    if (!panel.hidden) {
      panel.hidden = true
      button.setAttribute('aria-expanded', 'false')
      return
    }
    const reply = await api.call<{
      layer: string
      deleted?: true
      shadowed: readonly { layer: string; value: unknown }[]
    }>('GET', `explain/${encodeURIComponent(path)}`)
    if (!reply.ok) fill(panel, reply.problem.detail)
    else {
      const { layer, shadowed, deleted } = reply.value
      fill(
        panel,
        h('p', {}, 'From layer ', h('code', {}, layer), deleted ? ' (deleted at runtime)' : ''),
        shadowed.length === 0
          ? h('p', {}, 'It shadows no other layer.')
          : [
              h('p', { id: `shadowed-${path}` }, 'It shadows:'),
              h(
                'ul',
                { 'aria-labelledby': `shadowed-${path}` },
                shadowed.map((sh) => h('li', {}, h('code', {}, sh.layer), ': ', displayOf(sh.value))),
              ),
            ],
      )
    }
    panel.hidden = false
    button.setAttribute('aria-expanded', 'true')
  }

  function renderPending(): void {
    if (!pending) return
    const list = [...edits.values()]
    fill(
      pendingList,
      list.length === 0
        ? h('li', { class: 'muted' }, 'No edits yet: change a value to start.')
        : list.map((e) =>
            h(
              'li',
              {},
              h('code', {}, e.path),
              ': ',
              displayOf(e.old),
              ' → ',
              e.parsed.ok ? displayOf(e.parsed.value) : `(${e.parsed.message})`,
            ),
          ),
    )
    const patch = patchText()
    reviewButton.disabled = list.length === 0
    discardButton.disabled = list.length === 0
    commitButton.disabled = reviewed === undefined || reviewed.patch !== patch
  }

  /** The merge patch of every edit, or undefined while one does not parse. */
  function patchText(): string | undefined {
    const list = [...edits.values()]
    if (list.some((e) => !e.parsed.ok)) return undefined
    return JSON.stringify(
      mergePatchOf(
        list.map((e) => ({ segments: e.segments, old: e.old, value: e.parsed.ok ? e.parsed.value : null })),
      ),
    )
  }

  async function review(): Promise<void> {
    fieldErrors.clear()
    const patch = patchText()
    if (patch === undefined) {
      for (const e of edits.values()) if (!e.parsed.ok) fieldErrors.set(e.path, [e.parsed.message])
      fill(result, h('p', { class: 'error' }, 'Some edits are not valid values yet; see the fields.'))
      renderTree()
      return
    }
    const reply = await api.call<{ changes: ChangeSet['changes'] }>('POST', 'validate', {
      body: JSON.parse(patch),
    })
    if (reply.ok) {
      reviewed = { patch, changes: reply.value.changes }
      fill(result, diffTable(reply.value.changes, 'The change would make these changes'))
    } else {
      reviewed = undefined
      showProblem(reply.problem)
    }
    renderTree()
    renderPending()
  }

  async function commit(): Promise<void> {
    const patch = patchText()
    if (!reviewed || patch === undefined || reviewed.patch !== patch) return
    const why = reason.value.trim()
    fill(reasonError, why === '' ? 'A reason is required: it is kept in the history.' : '')
    if (why === '') return reason.focus()
    const reply = await api.call<{ revision: number }>('PATCH', '', {
      body: JSON.parse(patch),
      headers: {
        'content-type': 'application/merge-patch+json',
        ...(etag === null ? {} : { 'if-match': etag }),
        // A header carries Latin-1 only: anything else goes percent-encoded rather than making fetch throw.
        'x-reason': /^[\x20-\x7e]*$/.test(why) ? why : encodeURI(why),
      },
    })
    if (reply.ok) {
      edits.clear()
      reviewed = undefined
      reason.value = ''
      fill(result, h('p', { class: 'ok' }, `Committed: revision ${reply.value.revision}.`))
      announce(`Committed revision ${reply.value.revision}`)
      await reload()
      return
    }
    reviewed = undefined
    if (reply.problem.status === 412) {
      fill(
        result,
        h(
          'p',
          { class: 'error', role: 'alert' },
          'Someone else changed the config since you read it: nothing was committed. ',
          h('button', { type: 'button', onclick: () => void reapply() }, 'Reload and re-apply'),
        ),
      )
    } else showProblem(reply.problem)
    renderTree()
    renderPending()
  }

  /** After a 412: read the config again, keep the edits on top of it, and review them again. */
  async function reapply(): Promise<void> {
    await reload()
    await review()
  }

  function discard(): void {
    fill(result)
    edits.clear()
    fieldErrors.clear()
    reviewed = undefined
    renderTree()
    renderPending()
  }

  /** Puts each error beside the edited fields it concerns; the rest go under the buttons. */
  function showProblem(problem: Problem): void {
    const general: string[] = []
    for (const e of problem.errors) {
      const fields = [...edits.keys()].filter((p) => overlaps(p, e.path))
      for (const p of fields) fieldErrors.set(p, [...(fieldErrors.get(p) ?? []), e.message])
      if (fields.length === 0) general.push(`${e.path || '(config)'}: ${e.message}`)
    }
    fill(
      result,
      h('p', { class: 'error', role: 'alert' }, `Not committed: ${problem.detail}`),
      general.length > 0
        ? h(
            'ul',
            {},
            general.map((g) => h('li', {}, g)),
          )
        : null,
    )
  }

  function valueAt(segments: Segments): unknown {
    let at: unknown = config
    for (const key of segments) at = (at as Record<string, unknown> | undefined)?.[key]
    return at
  }

  return { element, reload, changed }
}

/** A table of changes: path, old → new. */
export function diffTable(changes: ChangeSet['changes'], caption: string): HTMLElement {
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

// --- internal ---

interface Edit {
  readonly segments: Segments
  readonly path: string
  readonly kind: Kind
  readonly text: string
  old: unknown
  readonly parsed: ReturnType<typeof parseText>
  conflict?: string
}
