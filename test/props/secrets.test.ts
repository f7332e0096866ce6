import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { stringify } from 'yaml'
import { z } from 'zod'
import { createAdminApp } from '../../src/adapters/http/index.ts'
import { createConfigStore, secret } from '../../src/index.ts'
import { fileSource } from '../../src/sources/index.ts'
import type { ConfigStore, StoreEvent } from '../../src/types.ts'
import { memoryLogger } from '../adapters/http/fixture.ts'
import { useTempDirs } from '../support/temp-dir.ts'

// Issue 15: a schema with secrets in random positions, driven through every door that shows something; no output
// may hold a generated secret.

/** Where a value sits in the generated schema. */
type Shape =
  | {
      readonly kind: 'secret'
      readonly wrap: 'none' | 'optional-outside' | 'optional-inside' | 'refine' | 'default'
    }
  | { readonly kind: 'plain' }
  | { readonly kind: 'object' | 'tuple'; readonly of: readonly [Shape, Shape] }
  | {
      readonly kind: 'array' | 'record' | 'union' | 'tagged' | 'lazy' | 'transform' | 'secret-object'
      readonly of: Shape
    }

const { shape } = fc.letrec<{ shape: Shape }>((tie) => ({
  shape: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({
      kind: fc.constant('secret' as const),
      wrap: fc.constantFrom('none', 'optional-outside', 'optional-inside', 'refine', 'default'),
    }),
    fc.constant({ kind: 'plain' as const }),
    fc.record({
      kind: fc.constantFrom('object' as const, 'tuple' as const),
      of: fc.tuple(tie('shape'), tie('shape')),
    }),
    fc.record({
      kind: fc.constantFrom(
        'array' as const,
        'record' as const,
        'union' as const,
        'tagged' as const,
        'lazy' as const,
        'transform' as const,
        'secret-object' as const,
      ),
      of: tie('shape'),
    }),
  ),
}))

function schemaOf(s: Shape): z.ZodType {
  switch (s.kind) {
    case 'secret':
      return {
        none: () => secret(z.string()),
        'optional-outside': () => secret(z.string()).optional(),
        'optional-inside': () => secret(z.string().optional()),
        refine: () => secret(z.string()).refine((v) => v.length > 3),
        default: () => secret(z.string()).default('Zdefault-secret-value'),
      }[s.wrap]()
    case 'plain':
      return z.string()
    case 'object':
      return z.object({ a: schemaOf(s.of[0]), b: schemaOf(s.of[1]) })
    case 'tuple':
      return z.tuple([schemaOf(s.of[0]), schemaOf(s.of[1])])
    case 'array':
      return z.array(schemaOf(s.of))
    case 'record':
      return z.record(z.string(), schemaOf(s.of))
    case 'union':
      return z.union([z.number(), schemaOf(s.of)])
    case 'tagged':
      return z.discriminatedUnion('tag', [
        z.object({ tag: z.literal('on'), v: schemaOf(s.of) }),
        z.object({ tag: z.literal('off') }),
      ])
    case 'lazy': {
      const inner = schemaOf(s.of)
      return z.lazy(() => inner)
    }
    case 'transform':
      return schemaOf(s.of).transform((v) => v)
    case 'secret-object':
      return secret(z.object({ x: schemaOf(s.of) }))
  }
}

/** A value of the shape; every secret leaf gets a fresh secret from `next`. */
function sampleOf(s: Shape, next: () => string, secretBelow = false): unknown {
  switch (s.kind) {
    case 'secret':
      return next()
    case 'plain':
      // A plain leaf inside a secret object is a secret too.
      return secretBelow ? next() : 'public-text'
    case 'object':
      return { a: sampleOf(s.of[0], next, secretBelow), b: sampleOf(s.of[1], next, secretBelow) }
    case 'tuple':
      return [sampleOf(s.of[0], next, secretBelow), sampleOf(s.of[1], next, secretBelow)]
    case 'array':
      return [sampleOf(s.of, next, secretBelow), sampleOf(s.of, next, secretBelow)]
    case 'record':
      return { alpha: sampleOf(s.of, next, secretBelow) }
    case 'tagged':
      return { tag: 'on', v: sampleOf(s.of, next, secretBelow) }
    case 'union':
    case 'lazy':
    case 'transform':
      return sampleOf(s.of, next, secretBelow)
    case 'secret-object':
      return { x: sampleOf(s.of, next, true) }
  }
}

/** Every dotted path to a leaf of a value. */
function leafPaths(value: unknown, path = 'data'): string[] {
  if (value === null || typeof value !== 'object') return [path]
  return Object.entries(value).flatMap(([k, v]) => leafPaths(v, `${path}.${k}`))
}

const TOKEN = 'admin-token-for-props-0123456789'
const tempDir = useTempDirs('hotconf-secret-props-')

describe('secrets in random schema positions', () => {
  test.prop([shape, fc.integer({ min: 100_000, max: 999_999 })], { numRuns: 40 })(
    'never shows a generated secret in results, history, events, exports, explain, logs, audit or HTTP',
    async (s, salt) => {
      const secrets: string[] = []
      const next = () => {
        const made = `Zs${secrets.length}q${salt}Wv`
        secrets.push(made)
        return made
      }
      const schema = z
        .object({ data: schemaOf(s), key: secret(z.string()), fail: z.boolean().default(false) })
        .superRefine((c, ctx) => {
          if (c.fail) ctx.addIssue({ code: 'custom', message: `refused ${JSON.stringify(c.data)}` })
        })
      const dir = await tempDir()
      const file = join(dir, 'app.yaml')
      const audit = join(dir, 'audit.jsonl')
      await writeFile(file, stringify({ data: sampleOf(s, next), key: next() }))
      const logger = memoryLogger()
      const store = (await createConfigStore({
        schema,
        sources: [fileSource(file)],
        audit: { file: audit },
        logger,
      })) as ConfigStore<any>
      try {
        const events: StoreEvent[] = []
        store.events$.subscribe((e) => events.push(e))
        await writeFile(file, stringify({ data: sampleOf(s, next), key: next() }))
        const results: unknown[] = [await store.reload()]
        const v2 = { data: sampleOf(s, next), key: next() }
        results.push(await store.validate(v2), await store.update(v2))
        results.push(await store.update({ data: sampleOf(s, next), key: next(), fail: true }))
        results.push(
          await store.update(() => {
            throw new Error(`recipe saw ${JSON.stringify(store.current)}`)
          }),
        )
        store.participate((n) => {
          throw new Error(`participant saw ${JSON.stringify(n)}`)
        })
        results.push(await store.update({ data: sampleOf(s, next), key: next() }))
        results.push(await store.rollback(1))

        const app = createAdminApp(store, { tokens: [{ name: 'ops', token: TOKEN, role: 'admin' }] })
        const routes = ['', '/values/data', '/history', '/events', '/export', '/status', '/schema']
        const http = await Promise.all(
          routes.map(async (r) => {
            const res = await app.request(`/config${r}`, { headers: { authorization: `Bearer ${TOKEN}` } })
            return `${res.status} ${await res.text()}`
          }),
        )
        const views = [
          results,
          events,
          store.history(),
          store.events(),
          store.diff(1),
          store.export(),
          store.status(),
          leafPaths(v2.data).map((p) => store.explain(p)),
          http,
        ]
        // Audit lines are appended after each outcome settles; close() waits for them, then the file is whole.
        await store.close()
        const shown = JSON.stringify([...views, logger.lines, await readFile(audit, 'utf8')])
        // Honest only if the secrets were live and the doors were really taken.
        expect(
          (results as { status?: string }[]).map((r) => r.status),
          JSON.stringify(results),
        ).toEqual(['committed', undefined, 'committed', 'rejected', 'rejected', 'rolledBack', 'rolledBack'])
        for (const secretText of [...secrets, 'Zdefault-secret-value']) {
          expect(shown.includes(secretText), `${secretText} shown for ${JSON.stringify(s)}`).toBe(false)
        }
      } finally {
        await store.close()
      }
    },
  )
})
