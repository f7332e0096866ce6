import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ConfigError, restart, secret } from '../../src/index.ts'
import { secretMap } from '../../src/schema/secret-map.ts'

const isSecret = (schema: z.ZodType, path: string) => secretMap(schema).at(path)?.secret === true

describe('secretMap', () => {
  it('finds a secret in every position a schema can put one when the schema nests it', () => {
    const tree: z.ZodType<unknown> = z.lazy(() => z.object({ key: secret(z.string()), kids: z.array(tree) }))
    const schema = z.object({
      list: z.array(secret(z.string())),
      pair: z.tuple([z.string(), secret(z.string())], secret(z.number())),
      either: z.union([z.string(), z.object({ token: secret(z.string()) })]),
      tagged: z.discriminatedUnion('t', [z.object({ t: z.literal('a'), pw: secret(z.string()) })]),
      users: z.record(z.string(), z.object({ pw: secret(z.string()) })),
      extra: z.object({}).catchall(secret(z.string())),
      tree,
      both: z.intersection(z.object({ a: secret(z.string()) }), z.object({ b: z.string() })),
      outside: secret(z.string()).optional(),
      inside: secret(z.string().optional()),
      derived: secret(z.string()).min(3).describe('still secret'),
      whole: secret(z.object({ user: z.string() })),
      map: z.map(z.string(), secret(z.string())),
      public: z.object({ name: z.string(), tags: z.array(z.string()) }),
    })
    const secretPaths = [
      'list.0',
      'list.9',
      'pair.1',
      'pair.5',
      'either.token',
      'tagged.pw',
      'users.alice.pw',
      'extra.anything',
      'tree.key',
      'tree.kids.3.kids.0.key',
      'both.a',
      'outside',
      'inside',
      'derived',
      'whole',
      'whole.user',
      'whole.anything.below',
      'map',
    ]
    for (const path of secretPaths) expect(isSecret(schema, path), path).toBe(true)
    for (const path of [
      'pair.0',
      'either',
      'tagged.t',
      'users.alice',
      'tree.kids.0',
      'both.b',
      'public.tags.0',
    ])
      expect(isSecret(schema, path), path).toBe(false)
    expect(secretMap(schema).at('public')?.below).toBe(false)
    expect(secretMap(schema).at('tree.kids.0')?.below).toBe(true)
  })

  it('makes a computed value secret as a whole when its input holds a secret', () => {
    const schema = z.object({
      trimmed: secret(z.string()).transform((s) => s.trim()),
      parsed: z.object({ inner: secret(z.string()) }).pipe(z.object({ inner: z.string() })),
      pre: z.preprocess((v) => v, secret(z.string())),
      plain: z.string().transform((s) => s.length),
    })
    expect(['trimmed', 'parsed', 'parsed.inner', 'pre'].map((p) => isSecret(schema, p))).toEqual([
      true,
      true,
      true,
      true,
    ])
    expect(isSecret(schema, 'plain')).toBe(false)
  })

  it('has no secrets when only restart keys are marked', () => {
    const map = secretMap(z.object({ port: restart(z.number()) }))
    expect(map.any).toBe(false)
    expect(map.at('port')?.secret ?? false).toBe(false)
  })

  it('throws BAD_OPTIONS naming the record when its key schema is secret', () => {
    const schema = z.object({
      a: z.array(z.object({ byKey: z.record(secret(z.enum(['x', 'y'])), z.string()) })),
    })
    expect(() => secretMap(schema)).toThrow(ConfigError)
    expect(() => secretMap(schema)).toThrow(
      expect.objectContaining({ code: 'BAD_OPTIONS', path: 'a.*.byKey' }),
    )
  })
})
