// Where each value comes from: schema defaults → YAML per environment → env vars → persisted runtime overrides.
// Run: node --conditions=@hotconf/source --import tsx examples/layers/main.ts
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createConfigStore, type Explanation, restart } from 'hotconf'
import { envSource, fileSource } from 'hotconf/sources'
import { z } from 'zod'

const schema = z.object({
  server: z.object({ port: restart(z.number().int().min(1).max(65535)).default(8080) }),
  log: z.object({ level: z.enum(['debug', 'info', 'warn', 'error']).default('info') }),
  pool: z.object({ min: z.number().int().min(0).default(2), max: z.number().int().min(1).default(5) }),
})

// Relative to the working directory, so layer names read `file:examples/layers/config/…` in the output.
const configDir = relative(process.cwd(), join(dirname(fileURLToPath(import.meta.url)), 'config'))
// Set here so the example needs nothing from the shell: in a deployment these come from the environment.
process.env.ORDERS_POOL__MAX = '30'
// Runtime overrides go to a temporary directory, so running the example leaves the repository clean.
const stateDir = await mkdtemp(join(tmpdir(), 'hotconf-layers-'))
const overridesFile = join(stateDir, 'overrides.json')

function open() {
  return createConfigStore({
    schema,
    environment: 'production',
    sources: [
      fileSource(join(configDir, 'default.yaml')),
      fileSource(join(configDir, '{environment}.yaml'), { optional: true }),
      envSource({ prefix: 'ORDERS_' }),
    ],
    overrides: { file: overridesFile },
  })
}

try {
  const first = await open()
  console.log('— the layers at start (environment: production)')
  const port = show(first.explain('server.port'))
  const level = show(first.explain('log.level'))
  const max = show(first.explain('pool.max'))
  assert.equal(port.layer, 'default')
  assert.equal(port.value, 8080)
  assert.equal(level.layer, `file:${join(configDir, 'production.yaml')}`)
  assert.equal(level.value, 'warn')
  assert.deepEqual(
    level.shadowed.map((s) => s.value),
    ['debug', 'info'],
  )
  assert.equal(max.layer, 'env:ORDERS_POOL__MAX')
  assert.equal(max.value, 30)

  console.log('\n— a runtime change: it becomes the override layer and is written to disk')
  const result = await first.update(
    { log: { level: 'info' } },
    { actor: 'ops@example.com', reason: 'investigating slow checkouts' },
  )
  assert.equal(result.status, 'committed')
  assert.equal(show(first.explain('log.level')).layer, 'override')
  console.log(`${overridesFile}:\n${await readFile(overridesFile, 'utf8')}`)
  await first.close()

  console.log('— a second store on the same directory, as after a restart')
  const second = await open()
  const survived = show(second.explain('log.level'))
  assert.equal(survived.layer, 'override')
  assert.equal(survived.value, 'info')
  assert.equal(second.get('pool.max'), 30)
  await second.close()
  console.log('\nthe override survived the restart')
} finally {
  await rm(stateDir, { recursive: true, force: true })
}

// --- internal ---

function show(explanation: Explanation): Explanation {
  const { path, value, layer, shadowed } = explanation
  const below = shadowed.map((s) => `${s.layer} ${JSON.stringify(s.value)}`).join(', ')
  console.log(`${path} = ${JSON.stringify(value)} from ${layer}${below ? `  (shadows ${below})` : ''}`)
  return explanation
}
