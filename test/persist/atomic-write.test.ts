import { type ChildProcess, spawn } from 'node:child_process'
import { lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { writeFileAtomic } from '../../src/persist/atomic-write.ts'
import { useTempDirs } from '../support/temp-dir.ts'
import { asRoot, CHMOD_SKIP, withMode } from './no-access.ts'

const tempDir = useTempDirs('hotconf-atomic-')
const SOURCE = fileURLToPath(new URL('../../src/persist/atomic-write.ts', import.meta.url))
const TEMP_NAME = /^\.target\.json\.\d+\.[0-9a-f]{12}\.tmp$/

// Writes self-checking documents of varying size (40-220 kB) until killed; says "ready" once writing has begun.
const WRITER = `
const { writeFileAtomic } = await import(process.env.MODULE_URL)
for (let seq = 1; ; seq++) {
  const size = 40000 + (seq % 7) * 30000
  await writeFileAtomic(process.env.TARGET, JSON.stringify({ seq, size, body: String(seq % 10).repeat(size) }))
  if (seq === 1) process.stdout.write('ready\\n')
}
`

const children = new Set<ChildProcess>()
afterEach(() => {
  for (const child of children) child.kill('SIGKILL')
  children.clear()
})

describe('writeFileAtomic', () => {
  it('creates the file, then replaces it, leaving nothing else in the directory', async () => {
    const dir = await tempDir()
    const target = join(dir, 'target.json')
    await writeFileAtomic(target, '{"a":1}\n')
    expect(await readFile(target, 'utf8')).toBe('{"a":1}\n')
    await writeFileAtomic(target, new TextEncoder().encode('{"a":2}\n'), { fsync: false })
    expect(await readFile(target, 'utf8')).toBe('{"a":2}\n')
    expect(await readdir(dir)).toEqual(['target.json'])
  })

  it('sets the mode exactly when one is given, and keeps the current mode when none is', async () => {
    const target = join(await tempDir(), 'target.json')
    await writeFileAtomic(target, 'one', { mode: 0o666 })
    expect((await stat(target)).mode & 0o777).toBe(0o666)
    await writeFileAtomic(target, 'two', { mode: 0o600 })
    expect((await stat(target)).mode & 0o777).toBe(0o600)
    await writeFileAtomic(target, 'three')
    expect((await stat(target)).mode & 0o777).toBe(0o600)
    expect(await readFile(target, 'utf8')).toBe('three')
  })

  it('replaces the file a symlink points at and keeps the link when the target is a symlink', async () => {
    const dir = await tempDir()
    await mkdir(join(dir, 'real'))
    const real = join(dir, 'real', 'target.json')
    await writeFile(real, 'old')
    const link = join(dir, 'target.json')
    await symlink(real, link)
    await writeFileAtomic(link, 'new')
    expect((await lstat(link)).isSymbolicLink()).toBe(true)
    expect(await readlink(link)).toBe(real)
    expect(await readFile(real, 'utf8')).toBe('new')
    expect(await readdir(join(dir, 'real'))).toEqual(['target.json'])
  })

  it('rejects with ENOTDIR and changes nothing when a path component is a regular file', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'file.txt'), 'keep')
    await expect(writeFileAtomic(join(dir, 'file.txt', 'target.json'), 'x')).rejects.toMatchObject({
      code: 'ENOTDIR',
    })
    expect(await readFile(join(dir, 'file.txt'), 'utf8')).toBe('keep')
    expect(await readdir(dir)).toEqual(['file.txt'])
  })

  it('rejects with ENOENT when the directory is missing (creating it is the caller’s choice)', async () => {
    const dir = await tempDir()
    await expect(writeFileAtomic(join(dir, 'missing', 'target.json'), 'x')).rejects.toMatchObject({
      code: 'ENOENT',
    })
    expect(await readdir(dir)).toEqual([])
  })

  it('removes its temp file and rethrows EISDIR when the rename fails on a directory in the way', async () => {
    const dir = await tempDir()
    await mkdir(join(dir, 'target.json'))
    const error = await writeFileAtomic(join(dir, 'target.json'), 'x').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({ code: 'EISDIR' })
    expect(await readdir(dir)).toEqual(['target.json'])
    expect(await readdir(join(dir, 'target.json'))).toEqual([])
  })

  it.skipIf(asRoot)(
    `rejects with EACCES and keeps the old file when the directory is read-only${CHMOD_SKIP}`,
    async () => {
      const dir = await tempDir()
      const target = join(dir, 'target.json')
      await writeFile(target, 'old')
      await withMode(dir, 0o555, async () => {
        await expect(writeFileAtomic(target, 'new')).rejects.toMatchObject({ code: 'EACCES' })
      })
      expect(await readFile(target, 'utf8')).toBe('old')
      expect(await readdir(dir)).toEqual(['target.json'])
    },
  )

  it('leaves a whole old or new document, never a torn one, when the writer is SIGKILLed at random moments', async () => {
    const module = await compiled(SOURCE)
    const runs = await Promise.all(Array.from({ length: 4 }, () => killWriterRepeatedly(module, 5)))
    const outcomes = runs.flat()
    expect(outcomes).toHaveLength(20)
    for (const { text, names } of outcomes) {
      const doc = JSON.parse(text) as { seq: number; size: number; body: string }
      expect(doc.body.length).toBe(doc.size)
      expect(doc.body).toBe(String(doc.seq % 10).repeat(doc.size))
      // A kill mid-write may leave the writer's hidden temp file behind; nothing else appears.
      for (const name of names.filter((n) => n !== 'target.json')) expect(name).toMatch(TEMP_NAME)
    }
    // The writers got past their first document before being killed.
    expect(outcomes.some(({ text }) => JSON.parse(text).seq > 1)).toBe(true)
  })
})

// --- helpers ---

/**
 * The module (and the modules of ours it imports) as plain JavaScript, so each writer starts in ~0.1 s on bare node
 * instead of ~0.4 s with a TypeScript loader: twenty of them fit in a quick test. Type stripping leaves the code under
 * test as it is.
 */
async function compiled(source: string): Promise<string> {
  const { default: ts } = await import('typescript')
  const srcRoot = fileURLToPath(new URL('../../src/', import.meta.url))
  const outRoot = await tempDir()
  await writeFile(join(outRoot, 'package.json'), '{ "type": "module" }')
  const compile = async (file: string): Promise<string> => {
    const { outputText } = ts.transpileModule(await readFile(file, 'utf8'), {
      compilerOptions: {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        rewriteRelativeImportExtensions: true,
      },
    })
    const out = join(outRoot, relative(srcRoot, file)).replace(/\.ts$/, '.js')
    await mkdir(dirname(out), { recursive: true })
    await writeFile(out, outputText)
    for (const [, specifier] of outputText.matchAll(/from ["'](\.\.?\/[^"']+)\.js["']/g))
      await compile(resolve(dirname(file), `${specifier}.ts`))
    return out
  }
  return pathToFileURL(await compile(source)).href
}

/** Starts a writer `times` times on one target, kills each at a random moment, and returns what was left. */
async function killWriterRepeatedly(
  module: string,
  times: number,
): Promise<{ text: string; names: string[] }[]> {
  const dir = await tempDir()
  const target = join(dir, 'target.json')
  await writeFile(target, JSON.stringify({ seq: 0, size: 3, body: '000' }))
  const outcomes: { text: string; names: string[] }[] = []
  for (let i = 0; i < times; i++) {
    const child = await startWriter(module, target)
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 40))
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
    children.delete(child)
    outcomes.push({ text: await readFile(target, 'utf8'), names: await readdir(dir) })
  }
  return outcomes
}

function startWriter(module: string, target: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER], {
    env: { ...process.env, MODULE_URL: module, TARGET: target },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk
  })
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child)
    })
    child.once('exit', (code) => reject(new Error(`writer exited (${code}) before writing: ${stderr}`)))
  })
}
