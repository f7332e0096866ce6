import type { ConfigIssue, ConfigIssueCode } from './types.ts'

/**
 * The one error hotconf throws: for misuse (bad options) and for a store that cannot start.
 * Update methods never throw it; they resolve to a result with the same issues.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  readonly code: ConfigIssueCode
  readonly path: string
  readonly issues: readonly ConfigIssue[]

  constructor(issues: readonly ConfigIssue[] | ConfigIssue, options?: { cause?: unknown; message?: string }) {
    const list = Array.isArray(issues) ? (issues as readonly ConfigIssue[]) : [issues as ConfigIssue]
    const first = list[0]
    super(
      options?.message ?? formatIssues(list),
      options?.cause === undefined ? undefined : { cause: options.cause },
    )
    this.code = first?.code ?? 'INVALID'
    this.path = first?.path ?? ''
    this.issues = list
  }
}

/** One issue per line: `code at path (file:line:column): message`. */
export function formatIssues(issues: readonly ConfigIssue[]): string {
  return issues.map(formatIssue).join('\n')
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.source
    ? ` (${issue.source}${issue.line === undefined ? '' : `:${issue.line}${issue.column === undefined ? '' : `:${issue.column}`}`})`
    : ''
  return `${issue.code} at ${issue.path || '(root)'}${where}: ${issue.message}`
}

/** Build an issue; `extra` adds file position or the zod original. */
export function issue(
  code: ConfigIssueCode,
  path: string,
  message: string,
  extra?: Omit<ConfigIssue, 'code' | 'path' | 'message'>,
): ConfigIssue {
  return { code, path, message, ...extra }
}
