import { type ConfigStore, formatIssues } from 'hotconf'

/** Prints every transaction outcome: revision, who, why, and `path: old → new`, or why it was refused. */
export function printTransactions<TConfig>(store: ConfigStore<TConfig>, write: (line: string) => void): void {
  store.events$.subscribe((event) => {
    if (event.type === 'warning') write(`! ${event.code}: ${event.message}`)
    if (event.type !== 'transaction') return
    const who = `${event.source}${event.actor ? ` by ${event.actor}` : ''}${event.reason ? ` (${event.reason})` : ''}`
    if (event.phase === 'committed') {
      write(`✔ revision ${event.revision} — ${who}`)
      for (const c of event.changes ?? []) write(`    ${c.path}: ${show(c.from)} → ${show(c.to)}`)
    } else if (event.phase === 'rejected' || event.phase === 'rolledBack') {
      write(`✘ ${event.phase} — ${who}; still serving revision ${event.revision}`)
      for (const line of formatIssues(event.errors ?? []).split('\n')) write(`    ${line}`)
    }
  })
}

const show = (value: unknown) => (value === undefined ? '(unset)' : JSON.stringify(value))
