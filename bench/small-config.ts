import { z } from 'zod'

/** A service's config of about 30 keys (the baseline's read config); every contender reads `db.pool.max`. */
export const smallSchema = z.object({
  server: z.object({
    host: z.string(),
    port: z.number().int(),
    keepAliveMs: z.number().int(),
    trustProxy: z.boolean(),
  }),
  db: z.object({
    host: z.string(),
    port: z.number().int(),
    name: z.string(),
    user: z.string(),
    ssl: z.boolean(),
    pool: z.object({
      min: z.number().int(),
      max: z.number().int(),
      idleMs: z.number().int(),
      acquireMs: z.number().int(),
    }),
  }),
  cache: z.object({ ttlSeconds: z.number().int(), maxEntries: z.number().int(), strategy: z.string() }),
  log: z.object({ level: z.string(), pretty: z.boolean() }),
  features: z.object({
    search: z.boolean(),
    beta: z.boolean(),
    darkMode: z.boolean(),
    newCheckout: z.boolean(),
  }),
  limits: z.object({ rps: z.number().int(), burst: z.number().int(), timeoutMs: z.number().int() }),
  mail: z.object({ from: z.string(), host: z.string(), port: z.number().int() }),
})

export type SmallConfig = z.output<typeof smallSchema>

/** The value `db.pool.max` holds. */
export const POOL_MAX = 10

/** A fresh plain copy of the config, as a parsed JSON file gives it. */
export function smallConfig(): SmallConfig {
  return {
    server: { host: '0.0.0.0', port: 8080, keepAliveMs: 5000, trustProxy: false },
    db: {
      host: 'localhost',
      port: 5432,
      name: 'app',
      user: 'app',
      ssl: false,
      pool: { min: 2, max: POOL_MAX, idleMs: 10_000, acquireMs: 2_000 },
    },
    cache: { ttlSeconds: 60, maxEntries: 1000, strategy: 'lru' },
    log: { level: 'info', pretty: false },
    features: { search: true, beta: false, darkMode: true, newCheckout: false },
    limits: { rps: 500, burst: 50, timeoutMs: 3000 },
    mail: { from: 'noreply@example.com', host: 'smtp.example.com', port: 587 },
  }
}

/**
 * convict's schema for the same keys, defaults included, as plain JSON (formats by name, so a child process can take
 * it as an argument); `env` maps variable names to the paths convict reads them into.
 */
export function convictSmall(env: Readonly<Record<string, string>> = {}): Record<string, unknown> {
  const node = (value: unknown, path: string): unknown => {
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, node(v, path ? `${path}.${k}` : k)]),
      )
    }
    const format = typeof value === 'number' ? 'int' : typeof value === 'boolean' ? 'Boolean' : 'String'
    const name = Object.entries(env).find(([, p]) => p === path)?.[0]
    return { format, default: value, ...(name ? { env: name } : {}) }
  }
  return node(smallConfig(), '') as Record<string, unknown>
}

/** Deep-freezes a plain tree (the "frozen plain object" every read is compared with). */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}
