import type { Api } from './api.ts'
import { fill, h } from './dom.ts'
import type { Edit, EditState } from './edits.ts'
import {
  choices,
  displayOf,
  dotted,
  flag,
  type JsonSchema,
  kindOf,
  parseText,
  type Segments,
  textOf,
} from './schema.ts'

/** What a leaf needs from the view it is in. */
export interface LeafContext {
  readonly api: Api
  readonly writable: boolean
  readonly state: EditState
  /** Paths a commit made elsewhere changed a moment ago. */
  readonly updated: ReadonlySet<string>
  /** Called after an edit was made, changed or undone. */
  edited(): void
}

/**
 * One leaf of the tree: its dotted path (the label of its edit control), its value, its marks (secret, restart,
 * updated: each a word, not only a colour), "Explain", and for writers a control fitting its schema type.
 */
export function leafOf(
  ctx: LeafContext,
  segments: Segments,
  value: unknown,
  s: JsonSchema | undefined,
): HTMLElement {
  const path = dotted(segments)
  const id = `edit-${path}`
  const secret = flag(s, 'x-hotconf-secret')
  const edit = ctx.state.edits.get(path)
  const notes = [edit?.conflict, ...(ctx.state.fieldErrors.get(path) ?? [])].filter(
    (n): n is string => n !== undefined,
  )
  const panel = h('div', { class: 'explain', id: `explain-${path}`, hidden: true })
  const button = h(
    'button',
    {
      type: 'button',
      class: 'small',
      'aria-expanded': 'false',
      'aria-controls': `explain-${path}`,
      'aria-label': `Explain ${path}`,
    },
    'Explain',
  )
  button.addEventListener('click', () => void explain(ctx.api, path, button, panel))
  const updated = ctx.updated.has(path)
  return h(
    'li',
    { class: `leaf${updated ? ' updated' : ''}${edit ? ' edited' : ''}`, 'data-path': path },
    ctx.writable ? h('label', { for: id, class: 'path' }, path) : h('span', { class: 'path' }, path),
    h('span', { class: 'value' }, secret ? '[redacted]' : displayOf(value)),
    secret ? h('span', { class: 'badge' }, 'secret') : null,
    flag(s, 'x-hotconf-restart') ? h('span', { class: 'badge restart' }, 'restart to apply') : null,
    updated ? h('span', { class: 'badge live' }, 'updated') : null,
    button,
    ctx.writable ? control(ctx, segments, value, s, id, secret, edit) : null,
    notes.length > 0
      ? h('p', { class: 'field-error', id: `error-${path}`, role: 'alert' }, notes.join('; '))
      : null,
    panel,
  )
}

// --- internal ---

function control(
  ctx: LeafContext,
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
  const select = kind === 'boolean' || kind === 'enum'
  let input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement
  if (select) {
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
      // A secret's value never reaches the page: the field starts empty, and empty means "keep it".
      placeholder: secret ? 'unchanged' : undefined,
      autocomplete: 'off',
    })
    input.value = text
  }
  input.addEventListener(select ? 'change' : 'input', () => {
    const { edits, fieldErrors } = ctx.state
    const parsed = parseText(select ? 'json' : kind, input.value)
    const same = secret
      ? input.value === ''
      : parsed.ok && JSON.stringify(parsed.value) === JSON.stringify(value)
    const conflict = edits.get(path)?.conflict
    if (same) edits.delete(path)
    else {
      edits.set(path, {
        segments,
        path,
        kind,
        text: input.value,
        old: value,
        parsed,
        ...(conflict === undefined ? {} : { conflict }),
      })
    }
    fieldErrors.delete(path)
    input.closest('li')?.classList.toggle('edited', !same)
    ctx.edited()
  })
  return input
}

async function explain(api: Api, path: string, button: HTMLButtonElement, panel: HTMLElement): Promise<void> {
  if (!panel.hidden) {
    panel.hidden = true
    button.setAttribute('aria-expanded', 'false')
    return
  }
  const reply = await api.call<{
    layer: string
    deleted?: true
    expires?: { at: string; revision: number }
    shadowed: readonly { layer: string; value: unknown }[]
  }>('GET', `explain/${encodeURIComponent(path)}`)
  if (!reply.ok) fill(panel, reply.problem.detail)
  else {
    const { layer, shadowed, deleted, expires } = reply.value
    fill(
      panel,
      h('p', {}, 'From layer ', h('code', {}, layer), deleted ? ' (deleted at runtime)' : ''),
      expires
        ? h(
            'p',
            {},
            `Expires ${new Date(expires.at).toLocaleString()} (set at revision ${expires.revision}).`,
          )
        : null,
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
