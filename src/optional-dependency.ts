import { ConfigError, issue } from './errors.ts'

/**
 * Loads an optional peer dependency (or a module that imports one). When one of `packages` is not installed, throws a
 * `ConfigError` `MISSING_DEPENDENCY` that names it and the command that installs them; any other failure is rethrown
 * as it is. `feature` says what needs them, e.g. `'hotconf/http'`.
 */
export async function importOptional<T>(
  load: () => Promise<T>,
  feature: string,
  packages: readonly string[],
): Promise<T> {
  try {
    return await load()
  } catch (error) {
    throw missingDependency(error, feature, packages) ?? error
  }
}

/** True for the error `importOptional` throws: a set-up error no retry or fallback can cure. */
export function isMissingDependency(error: unknown): error is ConfigError {
  return error instanceof ConfigError && error.code === 'MISSING_DEPENDENCY'
}

// --- internal ---

/** The `ConfigError` for an `ERR_MODULE_NOT_FOUND` that names one of `packages`, else `undefined`. */
function missingDependency(
  error: unknown,
  feature: string,
  packages: readonly string[],
): ConfigError | undefined {
  if ((error as NodeJS.ErrnoException | undefined)?.code !== 'ERR_MODULE_NOT_FOUND') return undefined
  // Node: "Cannot find package 'hono' imported from /app/node_modules/hotconf/dist/adapters/http/create-admin-app.js".
  const text = (error as Error).message
  const missing = packages.find((name) => text.includes(`'${name}'`) || text.includes(`"${name}"`))
  if (missing === undefined) return undefined
  const message = `${feature} needs the package "${missing}", which is not installed; install it with: npm install ${packages.join(' ')}`
  return new ConfigError(issue('MISSING_DEPENDENCY', '', message, { source: missing }), {
    cause: error,
    message,
  })
}
