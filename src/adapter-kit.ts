/**
 * What an adapter may use from hotconf besides the contract (`types.ts`, `errors.ts`): the few helpers that keep
 * adapters consistent with the core (the same path syntax, forbidden keys, overrides encoding, conflict rule, JSON
 * Schema of the config and missing-dependency error). Files under `src/adapters/` import core only from these three
 * modules (checked by test/adapters/boundaries.test.ts), so the core can change inside without touching them.
 */

export { messageOf } from './error-message.ts'
export { importOptional, isMissingDependency } from './optional-dependency.ts'
export { covers, holds, type Isolation, type Scope, scopesOf } from './persist/conflict-scope.ts'
export { contentHash } from './persist/content-hash.ts'
export { decodeTagged } from './persist/tagged-json.ts'
export { configJsonSchema } from './schema/json-schema.ts'
export { FORBIDDEN_KEYS } from './tree/forbidden.ts'
export { flattenLeaves } from './tree/leaves.ts'
export { isPlainObject, splitPath } from './tree/paths.ts'
