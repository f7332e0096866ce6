import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { DIAGRAM_BLOCK, lifecycleDiagram } from '../../scripts/lifecycle-diagram.ts'

it('docs/concepts.md shows the lifecycle the transaction machine defines (npm run diagram -- --write)', () => {
  const doc = readFileSync(new URL('../../docs/concepts.md', import.meta.url), 'utf8')
  expect(DIAGRAM_BLOCK.exec(doc)?.[1]).toBe(lifecycleDiagram())
})
