import { importOptional } from '../../adapter-kit.ts'

export type { HotconfProviderOptions } from './provider.ts'

// A static import of @openfeature/server-sdk would fail at link time with a bare ERR_MODULE_NOT_FOUND.
const openfeature = await importOptional(() => import('./provider.ts'), 'hotconf/openfeature', [
  '@openfeature/server-sdk',
  '@openfeature/core',
])

/** An OpenFeature provider reading flags from a store (see `provider.ts`). */
export const HotconfProvider: typeof openfeature.HotconfProvider = openfeature.HotconfProvider
/** An instance of `HotconfProvider`. */
export type HotconfProvider = InstanceType<typeof HotconfProvider>
