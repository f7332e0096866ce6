import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { REDACTED, secret } from '../../src/index.ts'
import { createRedactor } from '../../src/schema/redactor.ts'

const schema = z.object({
  tokens: z.array(secret(z.string())),
  db: z.object({ host: z.string(), password: secret(z.string()) }),
  pin: secret(z.string()),
  conn: secret(z.object({ user: z.string(), port: z.number() })),
})
const redactor = createRedactor(schema)

describe('createRedactor', () => {
  it('redacts array items, object keys and a secret object when they hold secrets', () => {
    const config = {
      tokens: ['t-one', 't-two'],
      db: { host: 'h', password: 'pw' },
      pin: '7',
      conn: { user: 'u', port: 1 },
    }
    expect(redactor.value(config)).toEqual({
      tokens: [REDACTED, REDACTED],
      db: { host: 'h', password: REDACTED },
      pin: REDACTED,
      conn: REDACTED,
    })
    expect(redactor.changes([{ path: 'tokens', from: ['a'], to: ['a', 'b'] }])).toEqual([
      { path: 'tokens', from: [REDACTED], to: [REDACTED, REDACTED] },
    ])
  })

  it('scrubs every secret a source holds, at any depth, and leaves placeholders alone when run twice', () => {
    const raw = {
      tokens: ['Token-Alpha-1'],
      db: { password: 'Pass-Beta-22' },
      conn: { user: 'conn-user', port: 5432 },
    }
    const text = 'Token-Alpha-1 / Pass-Beta-22 / conn-user:5432'
    const once = redactor.scrub(text, raw)
    expect(once).toBe(`${REDACTED} / ${REDACTED} / ${REDACTED}:${REDACTED}`)
    // A secret that is a piece of the placeholder ("act") must not rewrite it on a second pass.
    expect(redactor.scrub(once, { pin: 'act' })).toBe(once)
  })

  it('scrubs a secret as JSON writes it when a message quotes a config holding quotes or line breaks', () => {
    const pin = 'say "hi"\nand go'
    expect(redactor.scrub(`threw: ${JSON.stringify({ pin })}`, { pin })).toBe(`threw: {"pin":"${REDACTED}"}`)
  })

  it('scrubs a short secret only where it stands alone when it is shorter than four characters', () => {
    expect(redactor.scrub('pin 42, revision 142, "42"', { pin: '42' })).toBe(
      `pin ${REDACTED}, revision 142, "${REDACTED}"`,
    )
    expect(redactor.scrub('abcd and xabcdx', { pin: 'abcd' })).toBe(`${REDACTED} and x${REDACTED}x`)
  })

  it('scrubs the zod original issue beside the message when issues quote a secret', () => {
    const [scrubbed] = redactor.issues(
      [
        {
          code: 'INVALID',
          path: 'pin',
          message: 'bad pin Secret-Pin-9',
          zod: { code: 'custom', path: ['pin'], message: 'bad pin Secret-Pin-9', input: 'Secret-Pin-9' },
        },
      ],
      { pin: 'Secret-Pin-9' },
    )
    expect(JSON.stringify(scrubbed)).not.toContain('Secret-Pin-9')
    expect(scrubbed?.zod?.path).toEqual(['pin'])
  })
})
