import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { REDACTED, restart, secret } from '../../src/index.ts'
import { configJsonSchema } from '../../src/schema/json-schema.ts'

const schema = z.object({
  server: z.object({ port: restart(z.number().int().min(1)).default(8080) }),
  apiKey: secret(z.string().min(8)).default('sk-live-default-1'),
  db: z
    .object({ host: z.string().default('h'), password: secret(z.string()) })
    .default({ host: 'h', password: 'pw-default-2' }),
  tokens: z.array(secret(z.string())).default(['tok-default-3']),
  conn: secret(z.object({ user: z.string(), port: z.number() })).optional(),
  derived: secret(z.string()).transform((s) => s.length),
  name: z.string().meta({ examples: ['svc'] }),
})

describe('configJsonSchema', () => {
  it('marks secrets writeOnly and redacts every default that holds one, wherever it sits', () => {
    const json: any = configJsonSchema(schema)
    const text = JSON.stringify(json)
    for (const value of ['sk-live-default-1', 'pw-default-2', 'tok-default-3'])
      expect(text).not.toContain(value)
    expect(json.properties.apiKey).toMatchObject({
      type: 'string',
      minLength: 8,
      writeOnly: true,
      default: REDACTED,
    })
    expect(json.properties.db.default).toEqual({ host: 'h', password: REDACTED })
    expect(json.properties.db.properties.password).toMatchObject({
      writeOnly: true,
      'x-hotconf-secret': true,
    })
    expect(json.properties.db.properties.host.writeOnly).toBeUndefined()
    expect(json.properties.tokens.items.writeOnly).toBe(true)
    expect(json.properties.tokens.default).toEqual([REDACTED])
    expect(json.properties.conn).toMatchObject({ type: 'object', writeOnly: true })
    expect(json.properties.name).toMatchObject({ examples: ['svc'] })
    expect(json.properties.name.writeOnly).toBeUndefined()
  })

  it('annotates restart-only keys', () => {
    const json: any = configJsonSchema(schema, { io: 'input' })
    expect(json.properties.server.properties.port).toMatchObject({
      type: 'integer',
      'x-hotconf-restart': true,
    })
    expect(json.properties.apiKey['x-hotconf-restart']).toBeUndefined()
  })

  it('follows io: input leaves defaulted keys optional, output requires them', () => {
    expect(configJsonSchema(schema, { io: 'input' }).required).toEqual(['server', 'derived', 'name'])
    expect(configJsonSchema(schema).required).toContain('apiKey')
  })

  it('describes secrets as the redacted string the admin API shows when asked for the redacted view', () => {
    const json: any = configJsonSchema(schema, { redacted: true })
    expect(json.properties.apiKey).toEqual({ const: REDACTED, default: REDACTED, 'x-hotconf-secret': true })
    expect(json.properties.conn).toEqual({ const: REDACTED, 'x-hotconf-secret': true })
    // A value computed from a secret is one too, though no mark sits on the transform.
    expect(json.properties.derived).toEqual({ const: REDACTED, 'x-hotconf-secret': true })
    expect(json.properties.tokens.items).toEqual({ const: REDACTED, 'x-hotconf-secret': true })
  })

  it('drops defaults under shared definitions, which have no single path', () => {
    const node: z.ZodType = z.lazy(() =>
      z.object({ key: secret(z.string()).default('deep-secret-4'), next: node.optional() }),
    )
    const json = configJsonSchema(z.object({ tree: node }))
    expect(JSON.stringify(json)).not.toContain('deep-secret-4')
    expect(JSON.stringify(json)).toContain('"writeOnly":true')
  })
})
