import { type Kind, mergePatchOf, type parseText, type Segments } from './schema.ts'

/** One edited leaf: what was typed, what it parses to, the value it replaces. */
export interface Edit {
  readonly segments: Segments
  readonly path: string
  readonly kind: Kind
  readonly text: string
  /** The live value under the edit; a reload moves it along. */
  old: unknown
  readonly parsed: ReturnType<typeof parseText>
  /** Set when a commit made elsewhere changed this key (or one above or under it) while it was being edited. */
  conflict?: string
}

/** The pending change, shared by the tree (which edits it) and the review panel (which sends it). */
export interface EditState {
  readonly edits: Map<string, Edit>
  /** Messages the last review or commit put beside a field, by path. */
  readonly fieldErrors: Map<string, string[]>
  /** The patch the last successful review was of: "Commit" sends only that one. */
  reviewed: string | undefined
}

export function createEditState(): EditState {
  return { edits: new Map(), fieldErrors: new Map(), reviewed: undefined }
}

/** The merge patch of every edit as JSON, or undefined while one of them does not parse. */
export function patchText(state: EditState): string | undefined {
  const list = [...state.edits.values()]
  const values: { segments: Segments; old: unknown; value: unknown }[] = []
  for (const e of list) {
    if (!e.parsed.ok) return undefined
    values.push({ segments: e.segments, old: e.old, value: e.parsed.value })
  }
  return JSON.stringify(mergePatchOf(values))
}
