/** Keys that could reach `Object.prototype` through a merge; rejected in every file, env var and patch. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])
