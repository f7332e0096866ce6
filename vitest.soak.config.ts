import { defineConfig } from 'vitest/config'

/** `npm run test:soak`: the long reliability runs (test/reliability/soak/*.soak.ts), kept out of `npm test`. */
export default defineConfig({
  resolve: { conditions: ['@hotconf/source'] },
  ssr: { resolve: { conditions: ['@hotconf/source'] } },
  test: {
    include: ['test/reliability/soak/**/*.soak.ts'],
    testTimeout: 15 * 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // So the load soak can compare the heap after a full collection.
    execArgv: ['--expose-gc'],
  },
})
