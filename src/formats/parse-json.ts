import { issue } from '../errors.ts'
import { isPlainObject, joinPath, splitPath } from '../tree/paths.ts'
import type { ConfigIssue } from '../types.ts'
import { lineAt } from './line-starts.ts'

/** The deepest nesting of objects and arrays a file may have; deeper is `INVALID`. */
export const MAX_DEPTH = 100

/** The issue message for a document nested deeper than `MAX_DEPTH`. */
export const TOO_DEEP = `nesting is deeper than ${MAX_DEPTH} levels`

/** The issue message for a document whose top level is a list or a scalar. */
export const NOT_A_MAPPING = 'top level must be a mapping (write {} for an empty layer)'

/** A 1-based place in a text. */
export interface Position {
  readonly line: number
  readonly column: number
}

/** Tells the parsers which dotted paths hold secrets: their problems are told without quoting the text. */
export type SecretTest = (path: string) => boolean

/** The message for a problem in a secret value: what went wrong and where, never the parser's quote of the text. */
export function secretProblem(path: string, what: string): string {
  return `${what} in the secret value at ${path} (its text is not shown)`
}

/** Finds where a path (segments) of a parsed document is written: its key, or its value. */
export type Locate = (segments: readonly string[], at: 'key' | 'value') => Position | undefined

/**
 * Parses a JSON object; a syntax error or another top level becomes one `PARSE_ERROR` issue with the line and column
 * where it is. `source` names the file in the issue. The message never quotes the text; in a value at a path
 * `isSecret` accepts, it does not even name the unexpected character.
 */
export function parseJson(
  text: string,
  source: string,
  isSecret: SecretTest = () => false,
): { readonly value: Record<string, unknown> } | { readonly issues: ConfigIssue[] } {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    const message = (error as Error).message
    let path = ''
    // The path of the last value that started before the error: the one the error is in, or just after.
    const offset = scanJson(text, (p) => (path = p), MAX_PATH_DEPTH)
    const at = positionInMessage(message, text) ?? positionAt(text, offset)
    const said = isSecret(path)
      ? secretProblem(path, diagnosis(message).replace(/^Unexpected token .*$/s, 'Unexpected character'))
      : diagnosis(message)
    return { issues: [issue('PARSE_ERROR', '', said, { source, ...at })] }
  }
  if (isPlainObject(value)) return { value }
  return {
    issues: [issue('PARSE_ERROR', '', NOT_A_MAPPING, { source, ...positionAt(text, text.search(/\S/)) })],
  }
}

/** The 1-based line and column of a UTF-16 offset (a `\r\n` ends one line). */
export function positionAt(text: string, offset: number): Position {
  let line = 1
  let lineStart = 0
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++
    lineStart = i + 1
  }
  return { line, column: offset - lineStart + 1 }
}

/**
 * The offset of the first JSON syntax error, or the text's length when it ends too early. V8 leaves the position out
 * of some messages ("Unexpected token"), so this finds it with a small iterative scanner (no recursion: any depth).
 */
export function jsonErrorOffset(text: string): number {
  return scanJson(text)
}

/**
 * Where each of `paths` (dotted, array items by index) is written in a valid JSON text: its key and its value. One
 * linear scan and a line index, however large the file, where a second parse as YAML would take seconds. A key written
 * twice is found where JSON.parse takes it from: the last time.
 */
export function jsonLocator(text: string, paths: Iterable<string>): Locate {
  const wanted = new Set(paths)
  let deepest = 0
  for (const path of wanted) deepest = Math.max(deepest, splitPath(path).length)
  const found = new Map<string, { readonly key: number | undefined; readonly value: number }>()
  const visit: Visit = (path, key, value) => {
    if (wanted.has(path)) found.set(path, { key, value })
  }
  scanJson(text, visit, deepest)
  const position = lineIndex(text)
  return (segments, at) => {
    const offsets = found.get(segments.join('.'))
    const offset = at === 'key' ? (offsets?.key ?? offsets?.value) : offsets?.value
    return offset === undefined ? undefined : position(offset)
  }
}

/**
 * The position a V8 `JSON.parse` message gives: Node 22+ appends "(line L column C)", Node 20 says only "at position N"
 * (a UTF-16 offset into `text`); `undefined` when the message has neither ("Unexpected token").
 */
export function positionInMessage(message: string, text: string): Position | undefined {
  const lineColumn = /\(line (\d+) column (\d+)\)/.exec(message)
  if (lineColumn) return { line: Number(lineColumn[1]), column: Number(lineColumn[2]) }
  const offset = /at position (\d+)/.exec(message)
  return offset ? positionAt(text, Number(offset[1])) : undefined
}

// --- internal ---

/** How deep the error's path is followed; deeper documents are refused for their depth anyway (`MAX_DEPTH`). */
const MAX_PATH_DEPTH = 100

type Expect = 'value' | 'valueOrEnd' | 'key' | 'keyOrEnd' | 'colon' | 'after'

/** Told of every value as it starts: its dotted path, where its key starts (in an object) and where it starts. */
type Visit = (path: string, keyOffset: number | undefined, valueOffset: number) => void

/** An open object or array while scanning: its path and the key or index being read. */
interface Frame {
  readonly closer: '}' | ']'
  readonly path: string
  key: string
  keyOffset: number
  index: number
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON strings may not hold raw control characters
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y
const LITERALS: Readonly<Record<string, string>> = { t: 'true', f: 'false', n: 'null' }

/**
 * The offset of the first syntax error (the length when the text ends too early), telling `visit` of each value up to
 * `maxDepth` segments deep.
 */
function scanJson(text: string, visit?: Visit, maxDepth = 0): number {
  const frames: Frame[] = []
  let expect: Expect = 'value'
  let i = 0
  for (;;) {
    i = skipSpace(text, i)
    if (i >= text.length) return text.length
    const c = text[i]!
    const top = frames[frames.length - 1]
    if (expect === 'value' || expect === 'valueOrEnd') {
      if (expect === 'valueOrEnd' && c === ']') {
        frames.pop()
        i++
        expect = 'after'
        continue
      }
      // Paths below `maxDepth` are never built: each would copy its parent's, quadratic in a 10,000-level text.
      const seen = visit !== undefined && frames.length <= maxDepth
      const path = seen && top ? joinPath(top.path, top.closer === '}' ? top.key : String(top.index)) : ''
      if (seen) visit(path, top?.closer === '}' ? top.keyOffset : undefined, i)
      if (c === '{' || c === '[') {
        frames.push({ closer: c === '{' ? '}' : ']', path, key: '', keyOffset: 0, index: 0 })
        i++
        expect = c === '{' ? 'keyOrEnd' : 'valueOrEnd'
      } else {
        const end = scalarEnd(text, i)
        if (end.error) return end.at
        i = end.at
        expect = 'after'
      }
    } else if (expect === 'key' || expect === 'keyOrEnd') {
      if (expect === 'keyOrEnd' && c === '}') {
        frames.pop()
        i++
        expect = 'after'
      } else {
        STRING.lastIndex = i
        if (c !== '"' || !STRING.test(text)) return i
        if (visit && top && frames.length <= maxDepth) {
          top.key = JSON.parse(text.slice(i, STRING.lastIndex)) as string
          top.keyOffset = i
        }
        i = STRING.lastIndex
        expect = 'colon'
      }
    } else if (expect === 'colon') {
      if (c !== ':') return i
      i++
      expect = 'value'
    } else {
      if (top === undefined) return i
      if (c === ',') {
        top.index++
        expect = top.closer === '}' ? 'key' : 'value'
      } else if (c === top.closer) frames.pop()
      else return i
      i++
    }
  }
}

/** Offset → 1-based line and column by binary search over the line starts: many issues cost one pass. */
function lineIndex(text: string): (offset: number) => Position {
  const starts = [0]
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1)
  return (offset) => {
    const line = lineAt(starts, offset)
    return { line: line + 1, column: offset - starts[line]! + 1 }
  }
}

function skipSpace(text: string, from: number): number {
  let i = from
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++
  return i
}

/** Where a string, number or literal starting at `i` ends, or where it goes wrong. */
function scalarEnd(text: string, i: number): { readonly at: number; readonly error: boolean } {
  const c = text[i]!
  if (c === '"') {
    STRING.lastIndex = i
    return STRING.test(text) ? { at: STRING.lastIndex, error: false } : { at: i, error: true }
  }
  if (c === '-' || (c >= '0' && c <= '9')) {
    NUMBER.lastIndex = i
    // Only a lone minus sign fails: V8 points after it.
    return NUMBER.test(text) ? { at: NUMBER.lastIndex, error: false } : { at: i + 1, error: true }
  }
  const word = LITERALS[c]
  if (word === undefined) return { at: i, error: true }
  // V8 points at the first character that breaks the literal (`tru}` → the `}`).
  for (let k = 1; k < word.length; k++) if (text[i + k] !== word[k]) return { at: i + k, error: true }
  return { at: i + word.length, error: false }
}

// The position moves to the issue's fields, and V8's quote of the source goes: the file may hold secrets.
function diagnosis(message: string): string {
  return message
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/, \S*".*" is not valid JSON$/s, '')
    .replace(/^Unexpected token '(.)'$/s, (_, token: string) => `Unexpected token ${JSON.stringify(token)}`)
}
