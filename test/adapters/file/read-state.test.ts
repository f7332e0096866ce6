import { execFile } from 'node:child_process'
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { contentHash } from '../../../src/adapter-kit.ts'
import { readState } from '../../../src/adapters/file/read-state.ts'
import { useTempDirs } from '../../support/temp-dir.ts'

const tempDir = useTempDirs()

describe('readState', () => {
  it('reads a file whole and stable, with the bytes the reload is handed (#23)', async () => {
    const file = join(await tempDir(), 'app.yaml')
    await writeFile(file, 'pool:\n  max: 1\n')
    const state = await readState(file)
    expect(state).toEqual({
      hash: contentHash('pool:\n  max: 1\n'),
      void: false,
      stable: true,
      bytes: Buffer.from('pool:\n  max: 1\n'),
    })
  })

  it('says void for a missing or empty file, and hands over no bytes of what it did not read', async () => {
    const dir = await tempDir()
    expect(await readState(join(dir, 'missing.yaml'))).toEqual({ hash: undefined, void: true, stable: true })
    expect(await readState(join(dir, 'missing/app.yaml'))).toMatchObject({ hash: undefined, void: true })
    await writeFile(join(dir, 'empty.yaml'), '')
    expect(await readState(join(dir, 'empty.yaml'))).toMatchObject({ void: true, stable: true })
    await mkdir(join(dir, 'sub'))
    const notAFile = await readState(join(dir, 'sub'))
    expect(notAFile).toMatchObject({ void: false, stable: true })
    expect(notAFile.bytes).toBeUndefined()
  })

  it.skipIf(process.platform === 'win32')('leaves a FIFO unread instead of blocking on it', async () => {
    const fifo = join(await tempDir(), 'app.yaml')
    await promisify(execFile)('mkfifo', [fifo])
    const state = await readState(fifo)
    expect(state).toMatchObject({ void: false, stable: true })
    expect(state.bytes).toBeUndefined()
  })

  it.skipIf(process.platform === 'win32' || process.getuid?.() === 0)(
    'gives a file it cannot read its error code as hash',
    async () => {
      const file = join(await tempDir(), 'app.yaml')
      await writeFile(file, 'pool:\n  max: 1\n')
      await chmod(file, 0o000)
      expect(await readState(file)).toEqual({ hash: '!EACCES', void: false, stable: true })
    },
  )
})
