import type { Api } from './api.ts'
import { type ChangeSet, diffTable } from './changes.ts'
import { confirmDialog } from './dialog.ts'
import { fill, h } from './dom.ts'
import type { Session } from './session.ts'

interface Snapshot {
  readonly id: string
  readonly revision: number
  readonly label?: string
  readonly tags: readonly string[]
  readonly at: string
}

export interface ListView {
  readonly element: HTMLElement
  reload(): Promise<void>
}

/** The committed revisions, newest first, each with its diff and (admin) "Roll back to this". */
export function createHistoryView(api: Api, session: Session, announce: (text: string) => void): ListView {
  const list = h('ol', { class: 'history' })
  const element = h(
    'section',
    { 'aria-labelledby': 'history-title' },
    h('h2', { id: 'history-title' }, 'History'),
    list,
  )
  const open = new Set<number>()
  const rollbackButton = (revision: number, text: string) =>
    h(
      'button',
      {
        type: 'button',
        'aria-label': `${text} (revision ${revision})`,
        onclick: () => rollback(api, { revision }, `revision ${revision}`, announce),
      },
      text,
    )

  async function reload(): Promise<void> {
    const reply = await api.call<(ChangeSet & { rollbackOf?: number })[]>('GET', 'history?limit=100')
    if (!reply.ok) return fill(list, h('li', { class: 'error' }, reply.problem.detail))
    fill(
      list,
      reply.value.map((entry) => {
        const details = h(
          'details',
          { open: open.has(entry.revision) },
          h(
            'summary',
            {},
            h('strong', {}, `r${entry.revision}`),
            ` · ${new Date(entry.at).toLocaleString()} · ${entry.actor ?? 'unknown'} · ${entry.source}`,
            entry.reason ? ` · “${entry.reason}”` : '',
            ` · ${entry.changes.map((c) => c.path).join(', ') || 'no changes'}`,
          ),
          diffTable(entry.changes, `Changes of revision ${entry.revision}`),
          session.role === 'admin'
            ? h(
                'div',
                { class: 'actions' },
                rollbackButton(entry.revision, 'Roll back to this'),
                // The revision before the first one kept (the start) has no entry of its own: undo reaches it.
                entry.revision > 1
                  ? rollbackButton(entry.revision - 1, 'Undo: roll back to before this')
                  : null,
              )
            : null,
        )
        details.addEventListener('toggle', () => {
          if (details.open) open.add(entry.revision)
          else open.delete(entry.revision)
        })
        return h('li', {}, details)
      }),
    )
  }

  return { element, reload }
}

/** Pinned snapshots: create with a label (write), roll back to (admin), delete (write). */
export function createSnapshotsView(api: Api, session: Session, announce: (text: string) => void): ListView {
  const list = h('ul', { class: 'snapshots' })
  const label = h('input', { id: 'snapshot-label', autocomplete: 'off', maxlength: 200 })
  const form = h(
    'form',
    { class: 'inline' },
    h('label', { for: 'snapshot-label' }, 'Snapshot label'),
    label,
    h('button', { type: 'submit' }, 'Create snapshot'),
  )
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const reply = await api.call<Snapshot>('POST', 'snapshots', {
      body: label.value.trim() === '' ? {} : { label: label.value.trim() },
    })
    announce(reply.ok ? `Snapshot of revision ${reply.value.revision} created` : reply.problem.detail)
    label.value = ''
    await reload()
  })
  const element = h(
    'section',
    { 'aria-labelledby': 'snapshots-title' },
    h('h2', { id: 'snapshots-title' }, 'Snapshots'),
    session.role === 'read' ? null : form,
    list,
  )

  async function reload(): Promise<void> {
    const reply = await api.call<Snapshot[]>('GET', 'snapshots')
    if (!reply.ok) return fill(list, h('li', { class: 'error' }, reply.problem.detail))
    if (reply.value.length === 0) return fill(list, h('li', { class: 'muted' }, 'No snapshots.'))
    fill(
      list,
      reply.value.map((s) => {
        const name = s.label ? `“${s.label}”` : s.id
        return h(
          'li',
          {},
          h('strong', {}, name),
          ` · revision ${s.revision} · ${new Date(s.at).toLocaleString()}`,
          s.tags.length > 0 ? ` · ${s.tags.join(', ')}` : '',
          session.role === 'admin'
            ? h(
                'button',
                {
                  type: 'button',
                  'aria-label': `Roll back to snapshot ${name}`,
                  onclick: () => rollback(api, { snapshot: s.id }, `snapshot ${name}`, announce),
                },
                'Roll back to this',
              )
            : null,
          session.role === 'read'
            ? null
            : h(
                'button',
                {
                  type: 'button',
                  'aria-label': `Delete snapshot ${name}`,
                  onclick: () =>
                    confirmDialog({
                      title: 'Delete snapshot',
                      message: `Delete snapshot ${name} (revision ${s.revision})? The revision stays in history while it is retained.`,
                      confirm: 'Delete',
                      reason: false,
                      submit: async () => {
                        const r = await api.call('DELETE', `snapshots/${encodeURIComponent(s.id)}`)
                        if (!r.ok) return r.problem.detail
                        announce(`Snapshot ${name} deleted`)
                        await reload()
                        return undefined
                      },
                    }),
                },
                'Delete',
              ),
        )
      }),
    )
  }

  return { element, reload }
}

// --- internal ---

function rollback(
  api: Api,
  target: { revision: number } | { snapshot: string },
  name: string,
  announce: (text: string) => void,
): void {
  confirmDialog({
    title: 'Roll back',
    message: `Return the config to ${name}? This commits a new revision.`,
    confirm: 'Roll back',
    reason: true,
    submit: async (reason) => {
      const reply = await api.call<{ revision: number }>('POST', 'rollback', { body: { ...target, reason } })
      if (!reply.ok) return reply.problem.detail
      announce(`Rolled back to ${name}: revision ${reply.value.revision}`)
      return undefined
    },
  })
}
