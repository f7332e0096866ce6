import { fill, h } from './dom.ts'

/** What the user answered: the reason they gave (empty when none was asked), or `undefined` for "Cancel". */
export type Confirmation = string | undefined

/**
 * A modal confirmation with an optional required reason, on a native `<dialog>`: it keeps focus inside, closes on
 * Escape and gives focus back to what opened it. `submit` runs the action; a message it returns stays in the dialog.
 */
export function confirmDialog(options: {
  readonly title: string
  readonly message: string
  readonly confirm: string
  readonly reason: boolean
  readonly submit: (reason: string) => Promise<string | undefined>
}): void {
  const reason = h('input', { id: 'dialog-reason', autocomplete: 'off', 'aria-describedby': 'dialog-error' })
  const error = h('p', { id: 'dialog-error', class: 'field-error', role: 'alert' })
  const dialog = h(
    'dialog',
    { class: 'dialog', 'aria-labelledby': 'dialog-title' },
    h(
      'form',
      { method: 'dialog' },
      h('h2', { id: 'dialog-title' }, options.title),
      h('p', {}, options.message),
      options.reason ? [h('label', { for: 'dialog-reason' }, 'Reason'), reason] : null,
      error,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'primary', value: 'confirm' }, options.confirm),
        h('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel'),
      ),
    ),
  )
  const form = dialog.querySelector('form')!
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const why = reason.value.trim()
    if (options.reason && why === '') {
      fill(error, 'A reason is required: it is kept in the history.')
      return reason.focus()
    }
    const failure = await options.submit(why)
    if (failure === undefined) dialog.close()
    else fill(error, failure)
  })
  dialog.addEventListener('close', () => dialog.remove())
  document.body.append(dialog)
  dialog.showModal()
}
