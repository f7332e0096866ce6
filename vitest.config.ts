import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: { conditions: ['@hotconf/source'] },
  ssr: { resolve: { conditions: ['@hotconf/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
})
