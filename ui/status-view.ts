import type { Api } from './api.ts'
import { confirmDialog } from './dialog.ts'
import { fill, h } from './dom.ts'
import type { ListView } from './history-view.ts'
import { displayOf } from './schema.ts'
import type { Session } from './session.ts'

interface Status {
  readonly revision: number
  readonly environment: string
  readonly updatedAt: string
  readonly pendingRestart: readonly {
    readonly path: string
    readonly live: unknown
    readonly next: unknown
  }[]
  readonly expiring?: readonly { readonly path: string; readonly at: string; readonly revision: number }[]
  readonly probation?: readonly Probation[]
  readonly adapters: readonly { readonly name: string; readonly state: string; readonly lastError?: string }[]
  readonly warnings: readonly { readonly code: string; readonly message: string; readonly at: string }[]
}

interface Probation {
  readonly revision: number
  readonly until: string
  readonly source: string
  readonly actor?: string
  readonly paths: readonly string[]
}

/**
 * `GET /status`: revision, environment, pending restarts, expiring overrides, changes on probation (with "Confirm"
 * and "Revert", and a button that runs the checks now, for write and admin tokens), warnings, adapters and their
 * states.
 */
export function createStatusView(api: Api, session: Session, announce: (text: string) => void): ListView {
  const body = h('div')
  const element = h(
    'section',
    { 'aria-labelledby': 'status-title' },
    h('h2', { id: 'status-title' }, 'Status'),
    body,
  )

  async function reload(): Promise<void> {
    const reply = await api.call<Status>('GET', 'status')
    if (!reply.ok) return fill(body, h('p', { class: 'error' }, reply.problem.detail))
    const s = reply.value
    fill(
      body,
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Revision'),
        h('dd', {}, s.revision),
        h('dt', {}, 'Environment'),
        h('dd', {}, s.environment),
        h('dt', {}, 'Updated'),
        h('dd', {}, new Date(s.updatedAt).toLocaleString()),
      ),
      h('h3', {}, 'Pending restarts'),
      s.pendingRestart.length === 0
        ? h('p', { class: 'muted' }, 'None.')
        : h(
            'ul',
            {},
            s.pendingRestart.map((p) =>
              h(
                'li',
                {},
                h('code', {}, p.path),
                `: live ${displayOf(p.live)}, after restart ${displayOf(p.next)}`,
              ),
            ),
          ),
      h('h3', {}, 'Expiring overrides'),
      (s.expiring ?? []).length === 0
        ? h('p', { class: 'muted' }, 'None.')
        : h(
            'ul',
            {},
            (s.expiring ?? []).map((e) =>
              h(
                'li',
                {},
                h('code', {}, e.path),
                `: reset ${new Date(e.at).toLocaleString()} (set at revision ${e.revision})`,
              ),
            ),
          ),
      h('h3', {}, 'On probation'),
      (s.probation ?? []).length === 0
        ? h('p', { class: 'muted' }, 'None.')
        : h(
            'ul',
            { class: 'probation' },
            (s.probation ?? []).map((p) =>
              h(
                'li',
                {},
                h('strong', {}, `r${p.revision}`),
                ` · ${p.source}${p.actor ? ` · ${p.actor}` : ''} · until ${new Date(p.until).toLocaleString()} · `,
                h('code', {}, p.paths.join(', ')),
                session.role === 'read'
                  ? null
                  : [endButton(p.revision, 'confirm'), endButton(p.revision, 'revert')],
              ),
            ),
          ),
      (s.probation ?? []).length === 0 || session.role === 'read' ? null : checkButton(),
      h('h3', {}, 'Adapters'),
      s.adapters.length === 0
        ? h('p', { class: 'muted' }, 'None.')
        : h(
            'ul',
            {},
            s.adapters.map((a) =>
              h('li', {}, h('strong', {}, a.name), `: ${a.state}`, a.lastError ? ` (${a.lastError})` : ''),
            ),
          ),
      h('h3', {}, 'Warnings'),
      s.warnings.length === 0
        ? h('p', { class: 'muted' }, 'None.')
        : h(
            'ul',
            {},
            s.warnings.map((w) => h('li', {}, `${new Date(w.at).toLocaleString()} ${w.code}: ${w.message}`)),
          ),
    )
  }

  /**
   * Runs the service's checks now rather than at their next pass (after an alert, say): what fails is reverted,
   * what is due confirmed, and the list shows what is left. No dialog: the checks decide, as the timer's would.
   */
  function checkButton(): HTMLButtonElement {
    return h(
      'button',
      {
        type: 'button',
        onclick: async () => {
          const reply = await api.call<{ probation: readonly Probation[] }>('POST', 'probation/check')
          await reload()
          if (!reply.ok) return announce(reply.problem.detail)
          const left = reply.value.probation.length
          announce(
            `The checks ran: ${left === 0 ? 'nothing is' : `${left} change${left === 1 ? ' is' : 's are'}`} on probation`,
          )
        },
      },
      'Run the checks now',
    )
  }

  /** "Confirm" keeps the change, "Revert" puts back what it changed; either ends its probation, with a reason. */
  function endButton(revision: number, end: 'confirm' | 'revert'): HTMLButtonElement {
    const text = end === 'confirm' ? 'Confirm' : 'Revert'
    return h(
      'button',
      {
        type: 'button',
        'aria-label': `${text} revision ${revision}`,
        onclick: () =>
          confirmDialog({
            title: `${text} revision ${revision}`,
            message:
              end === 'confirm'
                ? `Keep revision ${revision} and end its probation?`
                : `Put back what revision ${revision} changed, where its values still hold? This commits a new revision.`,
            confirm: text,
            reason: true,
            submit: async (reason) => {
              const reply = await api.call<{ revision: number }>('POST', `probation/${revision}/${end}`, {
                body: { reason },
              })
              await reload()
              if (!reply.ok) return reply.problem.detail
              announce(`Revision ${revision} ${end}ed: revision ${reply.value.revision}`)
              return undefined
            },
          }),
      },
      text,
    )
  }

  return { element, reload }
}
