import { writeFile } from 'node:fs/promises'
import { configJsonSchema } from '../../schema/json-schema.ts'
import { usage } from '../exit.ts'
import type { CliIo } from '../io.ts'
import { loadSchema } from './load-schema.ts'

/** What `hotconf schema` prints. */
export interface SchemaRequest {
  readonly schema: string | undefined
  readonly io: string | undefined
  readonly partial: boolean
  readonly out: string | undefined
}

/**
 * The JSON Schema of the config for editors: `input` by default (what a file may hold: defaulted keys optional).
 * `partial` drops every `required`, for a profile file that sets only some keys over the defaults.
 */
export async function printSchema(io: CliIo, request: SchemaRequest): Promise<void> {
  const shape = request.io ?? 'input'
  if (shape !== 'input' && shape !== 'output') throw usage('--io must be input or output')
  const json = configJsonSchema(await loadSchema(request.schema), { io: shape })
  if (request.partial) dropRequired(json)
  const text = `${JSON.stringify(json, null, 2)}\n`
  if (request.out === undefined) io.out(text.trimEnd())
  else await writeFile(request.out, text)
}

// --- internal ---

function dropRequired(node: unknown): void {
  if (Array.isArray(node)) for (const item of node) dropRequired(item)
  else if (node !== null && typeof node === 'object') {
    delete (node as { required?: unknown }).required
    for (const value of Object.values(node)) dropRequired(value)
  }
}
