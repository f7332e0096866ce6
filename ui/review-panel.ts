import type { Api, Problem } from './api.ts'
import { type Change, diffTable } from './changes.ts'
import { fill, h } from './dom.ts'
import { type EditState, patchText } from './edits.ts'
import { displayOf, overlaps } from './schema.ts'

/** What the panel needs from the config view. */
export interface ReviewHost {
  /** The ETag of the config the edits were made on. */
  etag(): string | null
  reload(): Promise<void>
  renderTree(): void
  announce(text: string): void
}

export interface ReviewPanel {
  readonly element: HTMLElement
  /** Redraws the list of edits and which buttons apply; `cleared` also drops the last review's outcome. */
  render(cleared?: boolean): void
}

/**
 * The pending change: its edits, the required reason, "Review" (`POST /validate`: the diff, or each error beside
 * its field), "Commit" (the reviewed merge patch with `If-Match`; a 412 offers to reload and re-apply) and "Discard".
 */
export function createReviewPanel(api: Api, state: EditState, host: ReviewHost): ReviewPanel {
  const reason = h('input', { id: 'reason', autocomplete: 'off', 'aria-describedby': 'reason-error' })
  const reasonError = h('p', { id: 'reason-error', class: 'field-error' })
  // An expiring change (#20): the overrides it writes are reset after this long, e.g. `15m`; empty keeps them.
  const ttl = durationInput('ttl')
  // A change on probation (#20): the service's checks revert it if they fail within this long.
  const probation = durationInput('probation')
  const list = h('ul', { class: 'pending-list' })
  const result = h('div', { class: 'review', role: 'status' })
  const reviewButton = h('button', { type: 'button', onclick: () => void review() }, 'Review')
  const commitButton = h(
    'button',
    { type: 'button', class: 'primary', onclick: () => void commit() },
    'Commit',
  )
  const discardButton = h('button', { type: 'button', onclick: discard }, 'Discard')
  const element = h(
    'section',
    { class: 'pending', 'aria-labelledby': 'pending-title' },
    h('h2', { id: 'pending-title' }, 'Pending change'),
    list,
    // Before the reason, so the reason's Tab still lands on "Review".
    h('label', { for: 'ttl' }, 'Expires after (optional)'),
    ttl,
    h('p', { id: 'ttl-hint', class: 'muted' }, 'A number with ms, s, m or h: the change undoes itself then.'),
    h('label', { for: 'probation' }, 'Probation (optional)'),
    probation,
    h(
      'p',
      { id: 'probation-hint', class: 'muted' },
      "Same format: the service's checks revert the change if they fail before then.",
    ),
    h('label', { for: 'reason' }, 'Reason'),
    reason,
    reasonError,
    h('div', { class: 'actions' }, reviewButton, commitButton, discardButton),
    result,
  )

  function render(cleared = false): void {
    if (cleared) fill(result)
    const edits = [...state.edits.values()]
    fill(
      list,
      edits.length === 0
        ? h('li', { class: 'muted' }, 'No edits yet: change a value to start.')
        : edits.map((e) =>
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
    reviewButton.disabled = edits.length === 0
    discardButton.disabled = edits.length === 0
    commitButton.disabled = state.reviewed === undefined || state.reviewed !== patchText(state)
  }

  function redraw(): void {
    host.renderTree()
    render()
  }

  async function review(): Promise<void> {
    state.fieldErrors.clear()
    state.reviewed = undefined
    const patch = patchText(state)
    if (patch === undefined) {
      for (const e of state.edits.values())
        if (!e.parsed.ok) state.fieldErrors.set(e.path, [e.parsed.message])
      fill(result, h('p', { class: 'error' }, 'Some edits are not valid values yet; see the fields.'))
      return redraw()
    }
    const reply = await api.call<{ changes: Change[] }>('POST', 'validate', { body: JSON.parse(patch) })
    if (reply.ok) {
      state.reviewed = patch
      fill(result, diffTable(reply.value.changes, 'The change would make these changes'))
    } else showProblem(reply.problem)
    redraw()
  }

  async function commit(): Promise<void> {
    const patch = patchText(state)
    if (patch === undefined || state.reviewed !== patch) return
    const why = reason.value.trim()
    fill(reasonError, why === '' ? 'A reason is required: it is kept in the history.' : '')
    if (why === '') return reason.focus()
    const etag = host.etag()
    const query = new URLSearchParams()
    for (const input of [ttl, probation])
      if (input.value.trim() !== '') query.set(input.id, input.value.trim())
    const reply = await api.call<{ revision: number }>('PATCH', query.size === 0 ? '' : `?${query}`, {
      body: JSON.parse(patch),
      headers: {
        'content-type': 'application/merge-patch+json',
        ...(etag === null ? {} : { 'if-match': etag }),
        // A header carries Latin-1 only: anything else goes percent-encoded rather than making fetch throw.
        'x-reason': /^[\x20-\x7e]*$/.test(why) ? why : encodeURI(why),
      },
    })
    state.reviewed = undefined
    if (reply.ok) {
      state.edits.clear()
      reason.value = ''
      ttl.value = ''
      probation.value = ''
      fill(result, h('p', { class: 'ok' }, `Committed: revision ${reply.value.revision}.`))
      host.announce(`Committed revision ${reply.value.revision}`)
      return host.reload()
    }
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
    redraw()
  }

  /** After a 412: read the config again, keep the edits on top of it, and review them again. */
  async function reapply(): Promise<void> {
    await host.reload()
    await review()
  }

  function discard(): void {
    state.edits.clear()
    state.fieldErrors.clear()
    state.reviewed = undefined
    fill(result)
    redraw()
  }

  /** Puts each error beside the edited fields it concerns; the rest go under the buttons. */
  function showProblem(problem: Problem): void {
    const general: string[] = []
    for (const e of problem.errors) {
      const fields = [...state.edits.keys()].filter((p) => overlaps(p, e.path))
      for (const p of fields) state.fieldErrors.set(p, [...(state.fieldErrors.get(p) ?? []), e.message])
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

  return { element, render }
}

// --- internal ---

/** A duration field (`15m`) whose id is the query parameter it fills. */
function durationInput(id: 'ttl' | 'probation'): HTMLInputElement {
  return h('input', {
    id,
    autocomplete: 'off',
    placeholder: 'e.g. 15m',
    pattern: '[1-9][0-9]{0,9}(ms|s|m|h)',
    'aria-describedby': `${id}-hint`,
  })
}
