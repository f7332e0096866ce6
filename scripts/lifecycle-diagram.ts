/**
 * Prints the transaction machine as a Mermaid state diagram, read from the machine's definition, so the diagram in
 * docs/concepts.md cannot drift from the code (test/docs/lifecycle-diagram.test.ts compares them).
 *
 *   npm run diagram            # print it
 *   npm run diagram -- --write # replace the ```mermaid block under "## Transactions" in docs/concepts.md
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { AnyStateNode } from 'xstate'
import { transactionMachine } from '../src/machines/transaction-machine.ts'

/** The Mermaid source of the machine's lifecycle: each region a composite state, each labelled transition an arrow. */
export function lifecycleDiagram(): string {
  const root = transactionMachine({
    config: {},
    revision: 1,
    layers: {
      defaults: {},
      initial: {},
      sources: [],
      overrides: {},
      parked: {},
      expiries: new Map(),
      probation: {},
    },
    at: new Date(0),
    pendingRestart: [],
  }).root
  const lines = ['stateDiagram-v2']
  for (const region of Object.values(root.states)) {
    lines.push(`  state ${region.key} {`)
    lines.push(...body(region, '    '))
    lines.push('  }')
  }
  return `${lines.join('\n')}\n`
}

/** The diagram block of a Markdown document: the first ```mermaid fence holding a `stateDiagram-v2`. */
export const DIAGRAM_BLOCK = /```mermaid\n(stateDiagram-v2\n[\s\S]*?)```/

// --- internal ---

function body(node: AnyStateNode, indent: string): string[] {
  const lines: string[] = []
  const initial = node.initial?.target[0]
  if (initial) lines.push(`${indent}[*] --> ${initial.key}`)
  const children = Object.values(node.states)
  for (const child of children) {
    if (Object.keys(child.states).length === 0) lines.push(`${indent}${child.key}`)
    else lines.push(`${indent}state ${child.key} {`, ...body(child, `${indent}  `), `${indent}}`)
  }
  for (const child of children) lines.push(...arrows(child, indent))
  return lines
}

/** Every transition of a state that goes somewhere, labelled by its description (else its guard or event). */
function arrows(node: AnyStateNode, indent: string): string[] {
  const transitions = [...[...node.transitions.values()].flat(), ...(node.always ?? [])]
  const lines: string[] = []
  for (const t of transitions) {
    for (const target of t.target ?? []) {
      if (target === node) continue
      const label = t.description ?? guardName(t.guard) ?? t.eventType
      lines.push(`${indent}${node.key} --> ${target.key}${label ? `: ${label}` : ''}`)
    }
  }
  return lines
}

function guardName(guard: unknown): string | undefined {
  if (typeof guard === 'string') return guard
  const type = (guard as { type?: unknown } | undefined)?.type
  return typeof type === 'string' ? type : undefined
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const diagram = lifecycleDiagram()
  if (process.argv.includes('--write')) {
    const path = fileURLToPath(new URL('../docs/concepts.md', import.meta.url))
    const doc = readFileSync(path, 'utf8')
    if (!DIAGRAM_BLOCK.test(doc)) throw new Error(`no stateDiagram-v2 block in ${path}`)
    writeFileSync(path, doc.replace(DIAGRAM_BLOCK, `\`\`\`mermaid\n${diagram}\`\`\``))
  } else process.stdout.write(diagram)
}
