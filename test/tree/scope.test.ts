import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { checkTree, schemaScope } from '../../src/schema/check-tree.ts'
import { diffTrees } from '../../src/tree/diff.ts'
import { mergeLayers } from '../../src/tree/merge.ts'
import { assocIn, mergePatch } from '../../src/tree/patch.ts'
import { isPlainObject } from '../../src/tree/paths.ts'
import { reconcile } from '../../src/tree/reconcile.ts'
import { remerge, remergeIn } from '../../src/tree/remerge.ts'
import { narrowScope, type Scope, scopeOfPatch, scopeOfPaths } from '../../src/tree/scope.ts'
import type { ConfigIssue } from '../../src/types.ts'

// Every kind of node a scope meets: defaults filled in below a written key, records of objects with defaults, an
// optional object, a catchall, an object parsed whole (a transform, a union) and a cross-field rule.
const schema = z.object({
  a: z.object({
    x: z.number().default(1),
    y: z.object({ z: z.string().default('s'), w: z.number().optional() }),
  }),
  servers: z
    .record(z.string(), z.object({ port: z.number().default(80), host: z.string().optional() }))
    .default({}),
  opt: z.object({ q: z.number().default(3), r: z.number().optional() }).optional(),
  t: z.object({ n: z.number().default(1) }).transform((v) => ({ ...v, double: v.n * 2 })),
  u: z.union([z.object({ kind: z.literal('a'), v: z.number() }), z.string()]).default('none'),
  loose: z.object({ k: z.number().default(0) }).catchall(z.number()),
  pool: z
    .object({ min: z.number().default(1), max: z.number().default(2) })
    .refine((p) => p.min <= p.max, { message: 'min must be <= max' }),
})

const KEYS = [
  'a',
  'x',
  'y',
  'z',
  'w',
  'servers',
  's1',
  's2',
  'port',
  'host',
  'opt',
  'q',
  'r',
  't',
  'n',
  'double',
]
const MORE = ['u', 'kind', 'v', 'loose', 'k', 'extra', 'pool', 'min', 'max']
const key = fc.constantFrom(...KEYS, ...MORE)
const leaf = fc.oneof(
  fc.integer({ min: 0, max: 3 }),
  fc.constantFrom('s', 'a', 'none'),
  fc.constant(undefined),
)
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, fc.dictionary(key, tie('value'), { maxKeys: 3 })),
}))
const VALID = [
  'a',
  'a.x',
  'a.y',
  'a.y.z',
  'a.y.w',
  'servers',
  'servers.s1',
  'servers.s1.port',
  'servers.s2.host',
]
const VALID_MORE = [
  'opt',
  'opt.q',
  'opt.r',
  't',
  't.n',
  'u',
  'u.v',
  'loose',
  'loose.k',
  'loose.extra',
  'pool.min',
]
const path = fc.oneof(
  fc.constantFrom(...VALID, ...VALID_MORE, 'pool.max').map((p) => p.split('.')),
  fc.array(key, { minLength: 1, maxLength: 3 }),
)
const write = fc.oneof(
  fc.record({ set: path, value }),
  fc.record({ patch: fc.dictionary(key, value, { maxKeys: 3 }) }),
)

/** What `finish` does with a candidate: validate, keep live identities, diff. */
function pipeline(live: unknown, candidate: unknown, scope: Scope | undefined) {
  const issues: ConfigIssue[] = []
  const narrowed = narrowScope(scope, live, candidate)
  const parsed = checkTree(schema, candidate, live, issues, '', narrowed)
  const config = reconcile(live, parsed, narrowed)
  return {
    issues: issues.map((i) => `${i.code}@${i.path}: ${i.message}`),
    config,
    changes: diffTrees(live, config, '', narrowed),
  }
}

/** The paths (of objects) where `config` holds `live`'s own object: what `select()` subscribers see as unchanged. */
function shared(live: unknown, config: unknown, path = '', out: string[] = []): string[] {
  if (live === config) out.push(path)
  else if (isPlainObject(live) && isPlainObject(config))
    for (const k of Object.keys(config)) shared(live[k], config[k], `${path}.${k}`, out)
  return out
}

describe('a scope (where a write may differ from the live config)', () => {
  test.prop([fc.array(write, { minLength: 1, maxLength: 6 })], { numRuns: 300 })(
    'validates, reconciles and diffs to what a walk of every key gives',
    (writes) => {
      // Each write applies to the config the valid ones before it left, as a store's would.
      const issues: ConfigIssue[] = []
      let live = checkTree(schema, { t: { n: 1 } }, undefined, issues) as Record<string, unknown>
      expect(issues).toEqual([])
      for (const w of writes) {
        const candidate = 'set' in w ? assocIn(live, w.set, w.value) : mergePatch(live, w.patch)
        const scope = schemaScope(schema, 'set' in w ? scopeOfPaths([w.set]) : scopeOfPatch(w.patch))
        const full = pipeline(live, candidate, undefined)
        const scoped = pipeline(live, candidate, scope)
        expect(scoped.issues).toEqual(full.issues)
        expect(scoped.changes).toEqual(full.changes)
        expect(scoped.config).toEqual(full.config)
        expect(shared(live, scoped.config)).toEqual(shared(live, full.config))
        if (full.issues.length === 0) live = full.config as Record<string, unknown>
      }
    },
  )

  test.prop([fc.array(fc.record({ path, value }), { minLength: 1, maxLength: 8 })], { numRuns: 300 })(
    'merges the layers again, validates, reconciles and diffs as a walk of every key does (a reset, an expiry)',
    (writes) => {
      // Writes to the top layer (an undefined value resets the path): what a reset leaves can be gone entirely.
      const base = { t: { n: 1 }, a: { y: { z: 'a' } }, servers: { s1: { port: 81 } } }
      let top: unknown = {}
      let live = checkTree(schema, mergeLayers([base, top]), undefined, []) as Record<string, unknown>
      for (const w of writes) {
        const next = assocIn(top, w.path, w.value)
        const scope = schemaScope(schema, scopeOfPaths([w.path]))
        const full = pipeline(live, remerge(live, [base, top], [base, next]), undefined)
        // As a reset does: without the scope where it is too narrow for the merge.
        const narrow = scope && remergeIn(live, [base, top], [base, next], scope)
        const scoped = narrow === undefined ? full : pipeline(live, narrow, scope)
        expect(scoped.issues).toEqual(full.issues)
        expect(scoped.config).toEqual(full.config)
        expect(new Set(scoped.changes.map((c) => c.path))).toEqual(new Set(full.changes.map((c) => c.path)))
        if (full.issues.length === 0) {
          top = next
          live = full.config as Record<string, unknown>
        }
      }
    },
  )

  it('names the paths written, a path inside another one counting as the outer one', () => {
    const scope = scopeOfPaths([['a', 'b', 'c'], ['a', 'b'], ['d']])!
    expect([...scope.keys()]).toEqual(['a', 'd'])
    expect(scope.get('a')?.get('b')).toBeUndefined()
    expect(scope.get('d')).toBeUndefined()
    expect(scopeOfPaths([['x'], []])).toBeUndefined()
  })

  it('is the whole subtree where an object appeared or went away (nothing of it was copied from the live one)', () => {
    const scope = scopeOfPaths([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ])
    const narrowed = narrowScope(scope, { a: { b: { c: 1 } }, d: 1 }, { a: {}, d: { e: 2 } })!
    expect(narrowed.get('a')?.has('b')).toBe(true)
    expect(narrowed.get('a')?.get('b')).toBeUndefined()
    expect(narrowed.has('d') && narrowed.get('d')).toBeUndefined()
    expect(narrowScope(scope, 1, { a: 1 })).toBeUndefined()
  })

  it('is the whole subtree below a schema that parses its value whole', () => {
    const scope = schemaScope(
      schema,
      scopeOfPaths([
        ['t', 'n'],
        ['u', 'v'],
        ['a', 'y', 'z'],
      ]),
    )!
    expect(scope.get('t')).toBeUndefined()
    expect(scope.get('u')).toBeUndefined()
    expect(scope.get('a')?.get('y')?.has('z')).toBe(true)
  })
})
