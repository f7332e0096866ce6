import { type ConfigStore, type Explanation, formatIssues, type Path } from 'hotconf'

/**
 * Prints every transaction outcome: revision, who, why, and `path: old → new`, or why it was refused, or that a
 * reload found nothing to change. It also says when a file edit has no effect because a runtime override (an HTTP
 * change, a rollback) hides that path, so an edit is never silently ignored.
 */
export function printTransactions<TConfig>(store: ConfigStore<TConfig>, write: (line: string) => void): void {
  let fileValues = fileValuesOf(store)
  store.events$.subscribe((event) => {
    if (event.type === 'warning') write(`! ${event.code}: ${event.message}`)
    if (event.type !== 'transaction') return
    const who = `${event.source}${event.actor ? ` by ${event.actor}` : ''}${event.reason ? ` (${event.reason})` : ''}`
    if (event.phase === 'committed') {
      const rollbackOf = store.history({ limit: 1 })[0]?.rollbackOf
      write(`✔ revision ${event.revision} — ${who}${rollbackOf ? `, back to revision ${rollbackOf}` : ''}`)
      for (const c of event.changes ?? []) write(`    ${c.path}: ${show(c.from)} → ${show(c.to)}`)
    } else if (event.phase === 'unchanged') {
      write(`= revision ${event.revision} — ${who}: checked, nothing changed`)
    } else if (event.phase === 'rejected' || event.phase === 'rolledBack') {
      write(`✘ ${event.phase} — ${who}; still serving revision ${event.revision}`)
      for (const line of formatIssues(event.errors ?? []).split('\n')) write(`    ${line}`)
    } else return
    const before = fileValues
    fileValues = fileValuesOf(store)
    for (const [path, file] of fileValues) {
      if (file.value === before.get(path)?.value || file.hiddenBy === undefined) continue
      write(
        `! ${path}: ${file.layer} now says ${file.value}, but the runtime override ${file.hiddenBy} hides it; ` +
          `POST /config/reset {"path":"${path}"} drops the override`,
      )
    }
  })
}

// --- internal ---

const show = (value: unknown) => (value === undefined ? '(unset)' : JSON.stringify(value))

interface FileValue {
  readonly layer: string
  /** As JSON. */
  readonly value: string
  /** The override over it, as JSON, when it differs. */
  readonly hiddenBy?: string
}

/** Per leaf path, the value the topmost file layer gives and the override that hides it, if any. */
function fileValuesOf<TConfig>(store: ConfigStore<TConfig>): Map<string, FileValue> {
  const values = new Map<string, FileValue>()
  for (const path of leafPaths(store.current, '')) {
    const explained: Explanation = store.explain(path as Path<TConfig>)
    const top = { layer: explained.layer, value: explained.value }
    const file = [top, ...explained.shadowed].find((s) => s.layer.startsWith('file:'))
    if (!file) continue
    const value = show(file.value)
    const hidden = explained.layer === 'override' && show(explained.value) !== value
    values.set(path, { layer: file.layer, value, ...(hidden ? { hiddenBy: show(explained.value) } : {}) })
  }
  return values
}

function leafPaths(node: unknown, prefix: string): string[] {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return prefix ? [prefix] : []
  return Object.entries(node).flatMap(([key, child]) => leafPaths(child, prefix ? `${prefix}.${key}` : key))
}
