import { execFile } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

/**
 * Every ```ts block of README.md and docs/*.md is type-checked with the project's compiler options, so the docs
 * cannot drift from the API. Each block must stand alone: its own imports, and `declare const` for what it only
 * uses. A block whose first line is a file name comment (`// console-commands.ts`) becomes that file, which the
 * other blocks of the same document may import (`./console-commands.ts`). A block opened with ```ts nocheck is
 * skipped; use that only for a block that cannot stand alone.
 *
 * The blocks are virtual files inside the repository (test/docs/.snippets/<doc>/, never written), so 'hotconf' and
 * its subpaths resolve through the package's self-reference with the `source` condition, to src/.
 *
 * Every ```js block (plain JavaScript, as a user on Node 20 or 22 would paste it) is run as an ES module by the
 * current Node, from the repository root so that 'hotconf' resolves the same way. Node itself parses the block
 * (tsx only loads src/), so syntax this Node does not have, such as `await using` before Node 24, fails the test. A
 * block must finish on its own (close its store). ```js nocheck skips one.
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '../..')
const blocks = extractBlocks(['README.md', ...markdownIn('docs')])
const checked = blocks.filter((b) => !b.nocheck && b.lang === 'ts')
let program: ts.Program | undefined

describe('docs snippets', () => {
  it('finds the ts blocks and the plain JavaScript quick start of README.md', () => {
    const readme = blocks.filter((b) => b.doc === 'README.md')
    expect(readme.filter((b) => b.lang === 'ts').length).toBeGreaterThan(0)
    expect(readme.filter((b) => b.lang === 'js').length).toBeGreaterThan(0)
  })

  for (const block of blocks.filter((b) => b.lang === 'js')) {
    it.skipIf(block.nocheck)(
      `${block.doc}:${block.line} runs as plain JavaScript on Node ${process.version}`,
      async () => {
        // Rejects with the block's stderr when Node cannot parse it or it throws.
        await promisify(execFile)(
          process.execPath,
          ['--conditions=@hotconf/source', '--import', 'tsx', '--input-type=module', '--eval', block.code],
          { cwd: root, timeout: 15_000 },
        )
      },
    )
  }

  for (const block of blocks.filter((b) => b.lang === 'ts')) {
    it.skipIf(block.nocheck)(
      `${block.doc}:${block.line} type-checks`,
      () => {
        program ??= createProgram(checked)
        const file = program.getSourceFile(block.file)!
        const diagnostics = [
          ...program.getSyntacticDiagnostics(file),
          ...program.getSemanticDiagnostics(file),
        ]
        expect(diagnostics.map((d) => describeDiagnostic(block, d)).join('\n')).toBe('')
        // The first block builds the program of every block: ~10 s alone, more on a busy machine.
      },
      60_000,
    )
  }
})

// --- internal ---

interface Block {
  /** The markdown file, relative to the repository. */
  readonly doc: string
  /** The line of the opening fence, 1-based. */
  readonly line: number
  /** The virtual .ts file the block becomes. */
  readonly file: string
  readonly code: string
  readonly nocheck: boolean
  readonly lang: 'ts' | 'js'
}

function markdownIn(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => `${dir}/${entry.name}`)
    .sort()
}

function extractBlocks(docs: readonly string[]): Block[] {
  const out: Block[] = []
  for (const doc of docs) {
    const lines = readFileSync(join(root, doc), 'utf8').split('\n')
    for (let i = 0; i < lines.length; i++) {
      const open = /^(\s*)```(ts|typescript|js|javascript)(\s+nocheck)?\s*$/.exec(lines[i]!)
      if (!open) continue
      const indent = open[1]!.length
      const start = i
      const body: string[] = []
      while (++i < lines.length && !/^\s*```\s*$/.test(lines[i]!)) body.push(lines[i]!.slice(indent))
      const named = /^\/\/ ([\w.-]+\.ts)$/.exec(body[0] ?? '')?.[1]
      const file = join(root, 'test/docs/.snippets', doc.replaceAll('/', '_'), named ?? `L${start + 1}.ts`)
      if (out.some((b) => b.file === file))
        throw new Error(`${doc}:${start + 1}: a second block names ${named}`)
      out.push({
        doc,
        line: start + 1,
        file,
        code: `${body.join('\n')}\n`,
        nocheck: open[3] !== undefined,
        lang: open[2]!.startsWith('t') ? 'ts' : 'js',
      })
    }
  }
  return out
}

/** One program for every block: the project's tsconfig, each block a module of its own. */
function createProgram(snippets: readonly Block[]): ts.Program {
  const configFile = ts.readConfigFile(join(root, 'tsconfig.json'), (path) => ts.sys.readFile(path))
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root)
  const options: ts.CompilerOptions = {
    ...parsed.options,
    noEmit: true,
    // Declaration diagnostics are not asked for; skip the work they need.
    declaration: false,
    sourceMap: false,
    // A block without imports would otherwise be a script sharing one global scope with the others.
    moduleDetection: ts.ModuleDetectionKind.Force,
  }
  const virtual = new Map(snippets.map((b) => [b.file, b.code]))
  const host = ts.createCompilerHost(options, true)
  const { getSourceFile, fileExists, readFile, directoryExists } = host
  const dirs = new Set([...virtual.keys()].map((file) => dirname(file)))
  host.fileExists = (path) => virtual.has(path) || fileExists.call(host, path)
  // Relative imports between blocks look in their (virtual) directory first.
  host.directoryExists = (path) => dirs.has(path) || (directoryExists?.call(host, path) ?? true)
  host.readFile = (path) => virtual.get(path) ?? readFile.call(host, path)
  host.getSourceFile = (path, language, onError, shouldCreate) => {
    const code = virtual.get(path)
    return code === undefined
      ? getSourceFile.call(host, path, language, onError, shouldCreate)
      : ts.createSourceFile(path, code, language, true)
  }
  return ts.createProgram({ rootNames: [...virtual.keys()], options, host })
}

/** `docs/x.md:42:7 TS2304: Cannot find name 'schema'.`, at the line of the markdown file. */
function describeDiagnostic(block: Block, diagnostic: ts.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')
  if (!diagnostic.file || diagnostic.start === undefined)
    return `${block.doc}: TS${diagnostic.code}: ${message}`
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
  const where = diagnostic.file.fileName === block.file ? block.doc : relative(root, diagnostic.file.fileName)
  const at = diagnostic.file.fileName === block.file ? block.line + 1 + line : line + 1
  return `${where}:${at}:${character + 1} TS${diagnostic.code}: ${message}`
}
