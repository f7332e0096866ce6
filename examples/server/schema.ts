import { restart, secret } from 'hotconf'
import { z } from 'zod'

/** The demo service's config: what it serves depends on every key but the port. */
export const schema = z.object({
  service: z.object({ port: restart(z.number().int().min(0).max(65535)).default(3000) }),
  greeting: z.object({ text: z.string().min(1).default('Hello'), name: z.string().min(1).default('world') }),
  rateLimit: z.object({ perMinute: z.number().int().min(1).max(100_000).default(60) }),
  features: z.object({ shout: z.boolean().default(false) }),
  upstreamToken: secret(z.string()).optional(),
})

export type DemoConfig = z.output<typeof schema>
