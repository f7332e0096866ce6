import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import { z } from 'zod'
import { ConfigError } from '../../src/errors.ts'
import { type FileSourceOptions, fileSource } from '../../src/sources/index.ts'
import type { ConfigIssue, SourceContext, SourceData } from '../../src/types.ts'

/** The directory of the file fixtures. */
export const FIXTURES = fileURLToPath(new URL('../fixtures/sources/', import.meta.url))

/** A load context for sources that do not look at the schema. */
export const ctx: SourceContext = { environment: 'test', schema: z.object({}) }

/** Loads one file source once. */
export function loadFile(path: string, options?: FileSourceOptions, context = ctx): Promise<SourceData> {
  return fileSource(path, options).load(context)
}

/** The issues of the `ConfigError` a load throws (fails the test when it does not throw one). */
export async function fileIssues(path: string, options?: FileSourceOptions): Promise<readonly ConfigIssue[]> {
  const error = await loadFile(path, options).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(ConfigError)
  return (error as ConfigError).issues
}

/** `depth` openers, the leaf, `depth` closers. */
export function nested(depth: number, open: string, close: string, leaf: string): string {
  return open.repeat(depth) + leaf + close.repeat(depth)
}
