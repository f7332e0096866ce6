import {
  Composer,
  CST,
  type Document,
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  LineCounter,
  Parser,
  visit,
  type YAMLError,
  YAMLParseError,
} from 'yaml'
import { issue } from '../errors.ts'
import { joinPath } from '../tree/paths.ts'
import type { ConfigIssue } from '../types.ts'
import {
  type Locate,
  MAX_DEPTH,
  NOT_A_MAPPING,
  type Position,
  type SecretTest,
  secretProblem,
  TOO_DEEP,
} from './parse-json.ts'

/** A YAML mapping read into plain data, with a way back to where each path is written. */
export interface YamlResult {
  readonly value: Record<string, unknown>
  readonly locate: Locate
  /** The document it was read from, and its lines (see `simplePairs`). */
  readonly doc: Document.Parsed
  readonly lineCounter: LineCounter
}

/** How many alias expansions a document may do: enough for real reuse, too few for an alias bomb. */
const MAX_ALIAS_COUNT = 50
/** More syntax errors than this are summed up in one last issue. */
const MAX_REPORTED = 20

/**
 * Parses one YAML 1.2 document (core schema: no `!!binary`, `!!set` or timestamps, unknown tags are errors) into plain
 * data. Duplicate keys, syntax errors, warnings, a top level that is not a mapping, nesting deeper than `MAX_DEPTH`
 * and alias bombs become issues with the line and column. `source` names the file in the issues. A problem inside a
 * value at a path `isSecret` accepts is told without the parser's words, which may quote the text (a tag, an alias).
 */
export function parseYaml(
  text: string,
  source: string,
  isSecret: SecretTest = () => false,
): { readonly result: YamlResult } | { readonly issues: ConfigIssue[] } {
  const composed = composeYaml(text)
  if ('deep' in composed) {
    const { path, offset } = composed.deep
    return {
      issues: [
        issue('INVALID', path, TOO_DEEP, {
          source,
          ...positionOf(composed.lineCounter, offset),
        }),
      ],
    }
  }
  const { doc, locate, lineCounter } = composed
  const problems = [...doc.errors, ...doc.warnings]
  if (problems.length > 0) return { issues: yamlIssues(problems, lineCounter, source, hider(doc, isSecret)) }
  if (!isMap(doc.contents)) {
    const offset = doc.contents?.range?.[0] ?? 0
    return {
      issues: [
        issue('PARSE_ERROR', '', NOT_A_MAPPING, {
          source,
          ...positionOf(lineCounter, offset),
        }),
      ],
    }
  }
  try {
    return { result: { value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), locate, doc, lineCounter } }
  } catch (error) {
    // An unresolved alias quotes its name, which is the secret's text when written on a secret key.
    const at = unresolvedAlias(doc)
    const message = `cannot build the document: ${(error as Error).message}`
    const hidden = at === undefined ? undefined : hider(doc, isSecret)(at, 'BAD_ALIAS')
    return {
      issues: [
        issue('PARSE_ERROR', '', hidden ?? message, {
          source,
          ...(at === undefined ? {} : positionOf(lineCounter, at)),
        }),
      ],
    }
  }
}

/**
 * Composes YAML (or JSON, a subset of it) into a document after checking the nesting depth on the concrete syntax
 * tree, iteratively, so a 10,000-level document is an error and never a deep recursion.
 */
export function composeYaml(
  text: string,
):
  | { readonly deep: { readonly path: string; readonly offset: number }; readonly lineCounter: LineCounter }
  | { readonly doc: Document.Parsed; readonly locate: Locate; readonly lineCounter: LineCounter } {
  const lineCounter = new LineCounter()
  const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text))
  const deep = tooDeep(tokens)
  if (deep) return { deep, lineCounter }
  const composer = new Composer({
    schema: 'core',
    resolveKnownTags: false,
    stringKeys: true,
    // yaml's own check compares each key with every earlier one: minutes for a 200,000-key file. See duplicateKeys.
    uniqueKeys: false,
    merge: true,
  })
  let doc: Document.Parsed | undefined
  for (const next of composer.compose(tokens, true, text.length)) {
    if (!doc) doc = next
    else {
      doc.errors.push(...next.errors)
      const where: [number, number] = [next.range[0], next.range[1]]
      doc.errors.push(
        new YAMLParseError(where, 'MULTIPLE_DOCS', 'a file holds one document; a second starts here'),
      )
      break
    }
  }
  // compose(…, forceDoc = true) always yields a document, even for an empty text.
  const parsed = doc!
  parsed.errors.push(...duplicateKeys(parsed))
  const locate: Locate = (segments, at) => {
    const range = rangeOf(parsed, segments, at)
    return range === undefined ? undefined : positionOf(lineCounter, range)
  }
  return { doc: parsed, locate, lineCounter }
}

// --- internal ---

/** A neutral message for a problem at `offset` when it lies in a secret value; `undefined` elsewhere. */
type Hider = (offset: number, code: string) => string | undefined

function hider(doc: Document.Parsed, isSecret: SecretTest): Hider {
  return (offset, code) => {
    const path = pathAt(doc, offset)
    return isSecret(path) ? secretProblem(path, code) : undefined
  }
}

function yamlIssues(
  problems: readonly YAMLError[],
  lineCounter: LineCounter,
  source: string,
  hide: Hider,
): ConfigIssue[] {
  const issues = [...problems]
    .sort((a, b) => a.pos[0] - b.pos[0])
    .slice(0, MAX_REPORTED)
    .map((p) =>
      issue('PARSE_ERROR', '', hide(p.pos[0], p.code) ?? p.message, {
        source,
        ...positionOf(lineCounter, p.pos[0]),
      }),
    )
  if (problems.length > MAX_REPORTED) {
    issues.push(issue('PARSE_ERROR', '', `${problems.length - MAX_REPORTED} more problems`, { source }))
  }
  return issues
}

function positionOf(lineCounter: LineCounter, offset: number): Position {
  const { line, col } = lineCounter.linePos(offset)
  return { line, column: col }
}

const ignore = (): void => {}

/** The first collection nested deeper than `MAX_DEPTH`, with the path to it; a walk with its own stack. */
function tooDeep(tokens: readonly CST.Token[]): { path: string; offset: number } | undefined {
  const stack: [CST.Token | null | undefined, number, string][] = tokens.map((t) => [t, 0, ''])
  while (stack.length > 0) {
    const [token, depth, path] = stack.pop()!
    if (!token) continue
    if (token.type === 'document') stack.push([token.value, depth, path])
    else if (CST.isCollection(token)) {
      if (depth + 1 > MAX_DEPTH) return { path, offset: token.offset }
      token.items.forEach((item, index) => {
        // Without `onError` a broken key (an unclosed quote) throws here: the composer reports it with its place.
        const key = item.key ? (CST.resolveAsScalar(item.key, true, ignore)?.value ?? '?') : String(index)
        stack.push([item.key, depth + 1, path], [item.value, depth + 1, joinPath(path, key)])
      })
    }
  }
  return undefined
}

/** A `DUPLICATE_KEY` error at every repeated key of a mapping, in one pass with a set per mapping. */
function duplicateKeys(doc: Document.Parsed): YAMLParseError[] {
  const errors: YAMLParseError[] = []
  const stack: unknown[] = [doc.contents]
  while (stack.length > 0) {
    const node = stack.pop()
    if (isSeq(node)) stack.push(...node.items)
    if (!isMap(node)) continue
    const keys = new Set<unknown>()
    for (const { key, value } of node.items) {
      stack.push(value)
      // A `<<` merge key holds a fresh symbol each time: several are allowed, as in yaml's own check.
      if (!isScalar(key) || typeof key.value === 'symbol') continue
      if (!keys.has(key.value)) keys.add(key.value)
      else {
        const [start = 0, end = start] = key.range ?? []
        errors.push(new YAMLParseError([start, end], 'DUPLICATE_KEY', 'Map keys must be unique'))
      }
    }
  }
  return errors
}

/**
 * The path of the value a problem at `offset` lies in, erring towards the enclosing value: in a mapping, the last key
 * written before it (so a tag or anchor before a value counts as the value's); in a list, the first item ending
 * after it. A walk, not a recursion: depth is bounded by `MAX_DEPTH` already.
 */
function pathAt(doc: Document.Parsed, offset: number): string {
  let node: unknown = doc.contents
  let path = ''
  for (;;) {
    if (isMap(node)) {
      const pair = node.items.findLast((p) => isScalar(p.key) && (p.key.range?.[0] ?? offset + 1) <= offset)
      if (!pair || !isScalar(pair.key)) return path
      path = joinPath(path, String(pair.key.value))
      node = pair.value
    } else if (isSeq(node) && node.items.length > 0) {
      const index = node.items.findIndex((item) => isNode(item) && (item.range?.[2] ?? -1) >= offset)
      const at = index === -1 ? node.items.length - 1 : index
      path = joinPath(path, String(at))
      node = node.items[at]
    } else return path
  }
}

/** The offset of the first alias written before its anchor, in document order. */
function unresolvedAlias(doc: Document.Parsed): number | undefined {
  const anchors = new Set<string>()
  let found: number | undefined
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node) && !anchors.has(node.source)) {
        found = node.range?.[0] ?? 0
        return visit.BREAK
      }
      if (node.anchor) anchors.add(node.anchor)
      return undefined
    },
  })
  return found
}

/** The offset where a path's key or value is written, or its nearest written parent's when the path goes on no further. */
function rangeOf(doc: Document.Parsed, segments: readonly string[], at: 'key' | 'value'): number | undefined {
  let node: unknown = doc.contents
  let offset = doc.contents?.range[0]
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!
    let next: unknown
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === segment)
      if (!pair) return offset
      next = at === 'key' && i === segments.length - 1 ? pair.key : pair.value
    } else if (isSeq(node)) next = node.items[Number(segment)]
    if (!isNode(next)) return offset
    node = next
    offset = next.range?.[0] ?? offset
  }
  return offset
}
