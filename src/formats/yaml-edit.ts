import { type Document, isMap, isScalar, type LineCounter, Scalar } from 'yaml'
import { assocIn } from '../tree/patch.ts'
import { getAt } from '../tree/paths.ts'
import { lineAt } from './line-starts.ts'
import { parseYaml } from './parse-yaml.ts'

/**
 * What a good read of a YAML file keeps so that the next save, when it only changes the value on one `key: value`
 * line, is read without parsing the whole file again: the text, its data, and which lines hold such a pair.
 */
export interface YamlEditState {
  readonly text: string
  readonly value: Readonly<Record<string, unknown>>
  /** Line index → path of the plain `key: value` pair written on that line alone (see `simplePairs`). */
  readonly pairs: ReadonlyMap<number, readonly string[]>
  /** Offset where each line starts. */
  readonly lineStarts: readonly number[]
}

/**
 * The lines of a parsed document that hold one mapping pair each, a plain key and a plain scalar value written on
 * that line, reached from the top through mappings only. None in a document with an anchor: an edited value could be
 * an alias's or a merge key's too, and the path copy would miss those.
 */
export function simplePairs(
  doc: Document.Parsed,
  lineCounter: LineCounter,
  text: string,
): YamlEditState['pairs'] {
  const pairs = new Map<number, readonly string[]>()
  if (text.includes('&')) return pairs
  const stack: [unknown, readonly string[]][] = [[doc.contents, []]]
  while (stack.length > 0) {
    const [node, path] = stack.pop()!
    if (!isMap(node)) continue
    for (const { key, value } of node.items) {
      if (!isScalar(key) || key.type !== Scalar.PLAIN || typeof key.value !== 'string' || !key.range) continue
      const at = [...path, key.value]
      if (isMap(value)) stack.push([value, at])
      else if (isScalar(value) && value.type === Scalar.PLAIN && value.range && !value.tag) {
        const line = lineCounter.linePos(key.range[0]).line - 1
        if (lineCounter.linePos(value.range[1]).line - 1 === line) pairs.set(line, at)
      }
    }
  }
  return pairs
}

/**
 * The data and state of `next`, a text that differs from `prev.text` only in the value of one line `simplePairs`
 * found: `prev.value` with that one path copied. `undefined` whenever that cannot be told for certain (any other
 * edit, a value that is not a simple plain scalar, one that is not a finite number): then the caller parses it all.
 */
export function editYaml(
  prev: YamlEditState,
  next: string,
): { value: Record<string, unknown>; state: YamlEditState } | undefined {
  const old = prev.text
  const max = Math.min(old.length, next.length)
  let start = 0
  // Whole chunks first: comparing two slices is native, a character loop over a large file is not.
  while (start + CHUNK <= max && old.slice(start, start + CHUNK) === next.slice(start, start + CHUNK))
    start += CHUNK
  while (start < max && old.charCodeAt(start) === next.charCodeAt(start)) start++
  let endOld = old.length
  let endNew = next.length
  while (
    endOld - CHUNK >= start &&
    endNew - CHUNK >= start &&
    old.slice(endOld - CHUNK, endOld) === next.slice(endNew - CHUNK, endNew)
  ) {
    endOld -= CHUNK
    endNew -= CHUNK
  }
  while (endOld > start && endNew > start && old.charCodeAt(endOld - 1) === next.charCodeAt(endNew - 1)) {
    endOld--
    endNew--
  }
  const lineStart = start === 0 ? 0 : old.lastIndexOf('\n', start - 1) + 1
  const oldLine = old.slice(lineStart, lineEnd(old, endOld))
  const newLine = next.slice(lineStart, lineEnd(next, endNew))
  if (oldLine.includes('\n') || newLine.includes('\n')) return undefined
  const line = lineIndex(prev.lineStarts, lineStart)
  const path = prev.pairs.get(line)
  const was = SIMPLE_PAIR.exec(oldLine)
  const now = SIMPLE_PAIR.exec(newLine)
  if (!path || !was || !now || was[1] !== now[1] || was[2] !== now[2] || was[2] !== path.at(-1))
    return undefined
  // The pair alone, through the same reader: core-schema scalars (`0x1f`, `~`, `.inf`) resolve as in the file.
  const before = scalarOf(oldLine)
  const after = scalarOf(newLine)
  if (before === undefined || after === undefined || !Object.is(getAt(prev.value, path), before.value)) {
    return undefined
  }
  if (typeof after.value === 'number' && !Number.isFinite(after.value)) return undefined
  const value = assocIn(prev.value, path, after.value) as Record<string, unknown>
  const shift = newLine.length - oldLine.length
  // A copy: two reads of the file at once may both start from `prev`.
  const lineStarts =
    shift === 0 ? prev.lineStarts : prev.lineStarts.map((at, i) => (i > line ? at + shift : at))
  return { value, state: { text: next, value, pairs: prev.pairs, lineStarts } }
}

// --- internal ---

/** Characters compared at once while looking for the edit. */
const CHUNK = 1024

/** Indent, a plain key, one space, a plain scalar of safe characters: nothing a YAML reader could take otherwise. */
const SIMPLE_PAIR = /^( *)([A-Za-z_][\w-]*): ([\w.+-]+)$/

function lineEnd(text: string, from: number): number {
  const end = text.indexOf('\n', from)
  return end === -1 ? text.length : end
}

/** The index of the line starting at `offset` (a binary search). */
function lineIndex(lineStarts: readonly number[], offset: number): number {
  const line = lineAt(lineStarts, offset)
  return lineStarts[line] === offset ? line : -1
}

function scalarOf(line: string): { value: unknown } | undefined {
  const parsed = parseYaml(line.trimStart(), '')
  if ('issues' in parsed) return undefined
  const entries = Object.entries(parsed.result.value)
  return entries.length === 1 ? { value: entries[0]![1] } : undefined
}
