import { expect } from 'vitest'
import type { Problem } from '../../../src/adapters/http/index.ts'

/** Asserts an RFC 9457 problem response with this status and code, and returns its body. */
export async function expectProblem(res: Response, status: number, code: string): Promise<Problem> {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toBe('application/problem+json')
  const body = (await res.json()) as Problem
  expect(body).toMatchObject({ status, code, type: expect.stringMatching(/^urn:hotconf:problem:/) })
  expect(typeof body.title).toBe('string')
  expect(typeof body.detail).toBe('string')
  expect(Array.isArray(body.errors)).toBe(true)
  for (const e of body.errors) expect(Object.keys(e).sort()).toEqual(['code', 'message', 'path'])
  return body
}
