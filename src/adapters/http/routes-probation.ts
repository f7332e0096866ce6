import { jsonResponse } from './json.ts'
import type { AdminOperation } from './operation.ts'
import { fail } from './problem.ts'
import { readEnvelope } from './read-body.ts'
import { writeMeta } from './write-meta.ts'
import { resultResponse, WRITE_OUTCOMES } from './write-result.ts'

/** `POST /probation/{revision}/confirm` and `/revert`: end a change's probation by hand. */
const endOperations = (['confirm', 'revert'] as const).map(
  (end): AdminOperation => ({
    method: 'post',
    path: `/probation/{revision}/${end}`,
    operationId: `${end}Probation`,
    role: 'write',
    summary:
      end === 'confirm'
        ? 'Keep a change on probation and end its probation'
        : 'Revert a change on probation: the paths it changed go back where they still hold its values',
    parameters: ['ProbationRevision', 'XReason'],
    requestBody: {
      required: false,
      description: 'Why, for history and the audit log',
      content: { 'application/json': 'ReasonRequest' },
    },
    ...WRITE_OUTCOMES,
    handler:
      ({ store }) =>
      async (c) => {
        const raw = c.req.param('revision') ?? ''
        if (!/^[1-9]\d{0,14}$/.test(raw)) fail(400, 'BAD_REQUEST', 'revision must be an integer >= 1')
        const body = await readEnvelope(c)
        const meta = writeMeta(c, store, body)
        const result = await (end === 'confirm' ? store.confirm : store.revert).call(store, Number(raw), meta)
        return resultResponse(store, result)
      },
  }),
)

/** `POST /probation/check`: run the checks now (after an alert, a deploy step) instead of at the next `everyMs`. */
const checkOperation: AdminOperation = {
  method: 'post',
  path: '/probation/check',
  operationId: 'checkProbation',
  role: 'write',
  summary:
    'Run the probation checks now: failing changes are reverted, those whose time is up confirmed; answers once they committed',
  responses: {
    200: {
      description: 'What is still on probation after the checks',
      content: {
        'application/json': {
          type: 'object',
          required: ['probation'],
          additionalProperties: false,
          properties: {
            probation: { type: 'array', items: { $ref: '#/components/schemas/PendingProbation' } },
          },
        },
      },
    },
  },
  handler:
    ({ store }) =>
    async () => {
      await store.checkProbation()
      return jsonResponse({ probation: store.status().probation })
    },
}

export const probationOperations: readonly AdminOperation[] = [checkOperation, ...endOperations]
