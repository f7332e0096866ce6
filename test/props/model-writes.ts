import { fc } from '@fast-check/vitest'
import type { ConfigStore, UpdateMeta, UpdateResult } from '../../src/index.ts'
import {
  FORBIDDEN,
  forbiddenPaths,
  isObject,
  join,
  type ModelConfig,
  mergePatch,
  setPath,
  type Tree,
} from './model-config.ts'

/** One step of an immer recipe, as data so the model can replay it on a plain copy. */
export type RecipeOp =
  | { readonly op: 'assign'; readonly path: string; readonly value: unknown }
  | { readonly op: 'deleteFlag'; readonly key: string }
  | { readonly op: 'pushTag'; readonly tag: unknown }
  | { readonly op: 'throw' }

/** A write as generated: a rollback counts back from the live revision, a guarded patch may be stale. */
export type Write =
  | { readonly kind: 'patch'; readonly patch: Tree }
  | { readonly kind: 'recipe'; readonly ops: readonly RecipeOp[] }
  | { readonly kind: 'set'; readonly path: string; readonly value: unknown }
  | { readonly kind: 'rollback'; readonly back: number | 'unknown' }
  | { readonly kind: 'guarded'; readonly patch: Tree; readonly stale: boolean }

/** A write bound to the revision that was live when it was submitted. */
export type Submitted =
  | Exclude<Write, { kind: 'rollback' } | { kind: 'guarded' }>
  | { readonly kind: 'rollback'; readonly target: number }
  | { readonly kind: 'guarded'; readonly patch: Tree; readonly expectedRevision: number }

/** Fixes a write's relative parts (rollback target, expected revision) against the revision live at submit. */
export function bind(write: Write, liveRevision: number): Submitted {
  if (write.kind === 'rollback') {
    return { kind: 'rollback', target: write.back === 'unknown' ? 10_000 : liveRevision - write.back }
  }
  if (write.kind === 'guarded') {
    return { kind: 'guarded', patch: write.patch, expectedRevision: liveRevision - (write.stale ? 1 : 0) }
  }
  return write
}

/** Sends a bound write to the store. */
export function submit(
  store: ConfigStore<ModelConfig>,
  w: Submitted,
  meta: UpdateMeta,
): Promise<UpdateResult> {
  switch (w.kind) {
    case 'patch':
      return store.update(w.patch as never, meta)
    case 'recipe':
      return store.update((draft) => runRecipe(draft as unknown as Tree, w.ops), meta)
    case 'set':
      return store.set(w.path as never, w.value as never, meta)
    case 'rollback':
      return store.rollback(w.target, meta)
    case 'guarded':
      return store.update(w.patch as never, { ...meta, expectedRevision: w.expectedRevision })
  }
}

/**
 * The candidate a write builds from the live config, or the issues that stop it before validation
 * (a forbidden key, a throwing recipe, an unknown rollback target, a stale revision).
 */
export function candidateOf(
  w: Submitted,
  live: ModelConfig,
  retained: (revision: number) => ModelConfig | undefined,
  liveRevision: number,
): { candidate: unknown } | { issues: string[] } {
  const copy = () => structuredClone(live) as unknown as Tree
  switch (w.kind) {
    case 'guarded':
      if (w.expectedRevision !== liveRevision) return { issues: ['STALE_REVISION@'] }
      return candidateOf({ kind: 'patch', patch: w.patch }, live, retained, liveRevision)
    case 'patch': {
      const bad = forbiddenPaths(w.patch)
      return bad.length > 0 ? forbidden(bad) : { candidate: mergePatch(copy(), w.patch) }
    }
    case 'set': {
      const bad = w.path.split('.').some((k) => FORBIDDEN.has(k)) ? [w.path] : forbiddenPaths(w.value, w.path)
      return bad.length > 0 ? forbidden(bad) : { candidate: setPath(copy(), w.path, w.value) }
    }
    case 'recipe':
      try {
        return { candidate: runRecipe(copy(), w.ops) }
      } catch {
        // A recipe that throws (on purpose, or writing below a leaf it replaced) is rejected as a whole.
        return { issues: ['INVALID@'] }
      }
    case 'rollback': {
      const target = retained(w.target)
      return target ? { candidate: structuredClone(target) } : { issues: ['NOT_FOUND@'] }
    }
  }
}

/**
 * Paths a write names: patch leaves, the set path, what a recipe assigns. Only there may a deep-equal value come
 * back as a new object (see the identity bug in store-model.test.ts); every other subtree must keep its identity.
 */
export function touchedBy(w: Submitted): string[] {
  switch (w.kind) {
    case 'patch':
    case 'guarded':
      return leafPaths(w.patch, '')
    case 'set':
      return [w.path]
    case 'recipe':
      return w.ops.map((o) =>
        o.op === 'assign' ? o.path : o.op === 'deleteFlag' ? `features.flags.${o.key}` : 'features.tags',
      )
    case 'rollback':
      return []
  }
}

/** Runs recipe steps on an immer draft or on the model's plain copy alike. */
export function runRecipe(draft: Tree, ops: readonly RecipeOp[]): Tree {
  const features = () => draft.features as { tags: unknown[]; flags: Tree }
  for (const o of ops) {
    if (o.op === 'throw') throw new Error('recipe gave up')
    if (o.op === 'deleteFlag') delete features().flags[o.key]
    else if (o.op === 'pushTag') features().tags.push(o.tag)
    else {
      const keys = o.path.split('.')
      let node = draft
      for (const key of keys.slice(0, -1)) node = node[key] as Tree
      node[keys[keys.length - 1]!] = structuredClone(o.value)
    }
  }
  return draft
}

// --- arbitraries ---

const poolPair = fc
  .tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 }))
  .map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) }))
const tags = fc.array(fc.constantFrom('a', 'b'), { maxLength: 2 })

/** Per path: values the schema accepts, then values it refuses (or that change a restart key). */
const table: readonly [string, fc.Arbitrary<unknown>, fc.Arbitrary<unknown>][] = [
  ['server.port', fc.constant(8080), fc.constantFrom(9090, 0, 'http')],
  ['server.host', fc.constantFrom('127.0.0.1', '0.0.0.0'), fc.constantFrom('', 5)],
  ['pool.min', fc.integer({ min: 0, max: 12 }), fc.constantFrom(-1, 'x', null)],
  ['pool.max', fc.integer({ min: 0, max: 14 }), fc.constantFrom(101, 1.5)],
  ['pool', poolPair, fc.constant({ min: 1, max: 2, bogus: 1 })],
  ['log.level', fc.constantFrom('debug', 'info', 'warn', 'error'), fc.constant('verbose')],
  ['log.sink.file', fc.constantFrom('app.log', 'b.log'), fc.constant(7)],
  ['log.sink.rotate', fc.boolean(), fc.constant('yes')],
  // Replacing a whole object with its defaults: what is equal must keep its identity.
  [
    'log',
    fc.constantFrom({ level: 'info', sink: { file: 'app.log', rotate: false } }, undefined),
    fc.constant(5),
  ],
  ['features.tags', tags, fc.constant(['a', 3])],
  ['features.flags.x', fc.boolean(), fc.constant('no')],
  ['features.flags.y', fc.boolean(), fc.constant(0)],
  ['pool.bogus', fc.constant(undefined), fc.constant(1)],
  ['log.sink.color', fc.constant(undefined), fc.constant('red')],
]

/** A path and a value for it; `validWeight` to 1 the odds of a valid value, `Infinity` for valid ones only. */
const pathValue = (validWeight: number) =>
  fc.constantFrom(...table).chain(([path, valid, invalid]) =>
    fc.record({
      path: fc.constant(path),
      value:
        validWeight === Number.POSITIVE_INFINITY
          ? valid
          : fc.oneof({ arbitrary: valid, weight: validWeight }, { arbitrary: invalid, weight: 1 }),
    }),
  )

const patchOf = (validWeight: number): fc.Arbitrary<Tree> =>
  fc
    .array(pathValue(validWeight), { minLength: 1, maxLength: 3 })
    .map((pairs) => pairs.reduce<Tree>((patch, { path, value }) => setPath(patch, path, value), {}))

/** A deep-partial patch built from one to three assignments; mostly valid. */
export const patchArb: fc.Arbitrary<Tree> = patchOf(8)

/** Patches with schema-valid values only (a cross-field rule may still refuse them): for commit-heavy runs. */
export const validPatchArb: fc.Arbitrary<Tree> = patchOf(Number.POSITIVE_INFINITY)

/** Patches that try to reach `Object.prototype` (as a parsed request body would carry them). */
const forbiddenPatchArb: fc.Arbitrary<Tree> = fc
  .constantFrom(
    '{"__proto__": {"polluted": true}}',
    '{"pool": {"__proto__": {"max": 1}}}',
    '{"log": {"constructor": {"prototype": {"polluted": true}}}}',
    '{"features": {"flags": {"prototype": true}}}',
  )
  .map((json) => JSON.parse(json) as Tree)

const recipeOpArb: fc.Arbitrary<RecipeOp> = fc.oneof(
  {
    arbitrary: pathValue(6)
      .filter(({ path }) => !path.includes('bogus') && !path.includes('color'))
      .map(({ path, value }) => ({ op: 'assign' as const, path, value })),
    weight: 6,
  },
  {
    arbitrary: fc.record({ op: fc.constant('deleteFlag' as const), key: fc.constantFrom('x', 'y') }),
    weight: 1,
  },
  {
    arbitrary: fc.record({ op: fc.constant('pushTag' as const), tag: fc.constantFrom('a', 'b', 3) }),
    weight: 1,
  },
  { arbitrary: fc.constant({ op: 'throw' as const }), weight: 1 },
)

/** Every kind of write the store takes, valid and not. */
export const writeArb: fc.Arbitrary<Write> = fc.oneof(
  { arbitrary: patchArb.map((patch) => ({ kind: 'patch' as const, patch })), weight: 6 },
  {
    arbitrary: fc
      .array(recipeOpArb, { minLength: 1, maxLength: 3 })
      .map((ops) => ({ kind: 'recipe' as const, ops })),
    weight: 3,
  },
  { arbitrary: pathValue(4).map(({ path, value }) => ({ kind: 'set' as const, path, value })), weight: 4 },
  {
    arbitrary: fc.constantFrom('__proto__.polluted', 'pool.constructor', 'log.prototype.x').map((path) => ({
      kind: 'set' as const,
      path,
      value: true,
    })),
    weight: 1,
  },
  { arbitrary: forbiddenPatchArb.map((patch) => ({ kind: 'patch' as const, patch })), weight: 1 },
  // Both sides of pool.min <= pool.max at once, often past the live max: one side alone would break the rule.
  { arbitrary: poolPair.map((pool) => ({ kind: 'patch' as const, patch: { pool } })), weight: 1 },
  {
    arbitrary: fc.oneof(
      fc.constant({ kind: 'set' as const, path: 'server.port', value: 9090 }),
      patchArb.map((patch) => ({ kind: 'patch' as const, patch: { ...patch, server: { port: 8081 } } })),
    ),
    weight: 1,
  },
  {
    arbitrary: fc
      .oneof(
        { arbitrary: fc.integer({ min: 1, max: 2 }), weight: 4 },
        { arbitrary: fc.integer({ min: 0, max: 8 }), weight: 2 },
        { arbitrary: fc.constant('unknown' as const), weight: 1 },
      )
      .map((back) => ({ kind: 'rollback' as const, back })),
    weight: 5,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('guarded' as const), patch: patchArb, stale: fc.boolean() }),
    weight: 1,
  },
)

/** Patches and recipes only: what `validate()` takes. */
export const changeArb: fc.Arbitrary<Extract<Write, { kind: 'patch' | 'recipe' }>> = writeArb.filter(
  (w): w is Extract<Write, { kind: 'patch' | 'recipe' }> => w.kind === 'patch' || w.kind === 'recipe',
)

/** The change `validate()` gets for a patch or recipe write. */
export function changeOf(w: Extract<Write, { kind: 'patch' | 'recipe' }>): unknown {
  return w.kind === 'patch' ? w.patch : (draft: Tree) => runRecipe(draft, w.ops)
}

// --- internal ---

function leafPaths(value: unknown, path: string): string[] {
  if (!isObject(value)) return [path]
  return Object.keys(value).flatMap((key) => leafPaths(value[key], join(path, key)))
}

const forbidden = (paths: readonly string[]) => ({ issues: paths.map((p) => `FORBIDDEN_KEY@${p}`).sort() })
