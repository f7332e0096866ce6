import { describe, expect, it } from 'vitest'
import { KnownRevisions, scopesOf } from '../../../src/adapters/etcd/conflict-scope.ts'
import { etcdLayer, keyLayout, prefixRange } from '../../../src/adapters/etcd/key-layout.ts'
import { ConfigError } from '../../../src/errors.ts'
import { flattenLeaves } from '../../../src/tree/leaves.ts'

const layout = keyLayout('app/overrides/', 'test')

describe('keyLayout', () => {
  it('puts one key per leaf under the prefix when given a trailing slash or not', () => {
    expect(keyLayout('app/overrides', 'test').key('pool.max')).toBe('app/overrides/pool.max')
    expect(layout.key('pool.max')).toBe('app/overrides/pool.max')
    expect(layout.path('app/overrides/pool.max')).toBe('pool.max')
    expect(layout.path('app/overrides-old/pool.max')).toBeUndefined()
    expect(layout.metaKey).toBe('app/overrides')
  })

  it('throws BAD_OPTIONS when the prefix is empty', () => {
    expect(() => keyLayout('/', 'etcdSource')).toThrow(ConfigError)
    expect(() => keyLayout('', 'etcdSource')).toThrow(/non-empty prefix/)
  })

  it('ranges over exactly the keys that start with the prefix', () => {
    const { key, range_end } = prefixRange('app/')
    expect(key.toString()).toBe('app/')
    expect(range_end.toString()).toBe('app0')
    expect([...prefixRange('é').range_end]).toEqual([0xc3, 0xaa])
  })
})

describe('flattenLeaves', () => {
  it('keeps arrays and empty objects as leaves and drops undefined', () => {
    const leaves = flattenLeaves({ pool: { max: 20, tags: ['a'], extra: {} }, gone: undefined, name: 'x' })
    expect([...leaves]).toEqual([
      ['pool.max', '20'],
      ['pool.tags', '["a"]'],
      ['pool.extra', '{}'],
      ['name', '"x"'],
    ])
  })

  it('round-trips through etcdLayer when the document is JSON data', () => {
    const doc = { pool: { max: 20, tags: ['a', 'b'], nested: { deep: null } }, flag: false, empty: {} }
    expect(etcdLayer(flattenLeaves(doc), layout)).toEqual({ doc, issues: [] })
  })
})

describe('etcdLayer', () => {
  it('takes text that is not JSON as a string when an operator wrote it without quotes', () => {
    expect(etcdLayer([['log.level', 'debug']], layout).doc).toEqual({ log: { level: 'debug' } })
  })

  it('reports FORBIDDEN_KEY with the etcd key when a path could reach Object.prototype', () => {
    const { doc, issues } = etcdLayer(
      [
        ['__proto__.polluted', 'true'],
        ['a..b', '1'],
        ['ok', '1'],
      ],
      layout,
    )
    expect(doc).toEqual({ ok: 1 })
    expect(issues.map((i) => [i.code, i.source])).toEqual([
      ['FORBIDDEN_KEY', 'app/overrides/__proto__.polluted'],
      ['FORBIDDEN_KEY', 'app/overrides/a..b'],
    ])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('scopesOf', () => {
  it('scopes a write to its key, its object or the document by isolation', () => {
    const keys = (isolation: 'key' | 'object' | 'document') =>
      scopesOf(['pool.max', 'pool.min', 'server.port'], isolation, layout).map((s) => [s.key, s.prefix])
    expect(keys('key')).toEqual([
      ['app/overrides/pool.max', false],
      ['app/overrides/pool.min', false],
      ['app/overrides/server.port', false],
    ])
    expect(keys('object')).toEqual([
      ['app/overrides/pool.', true],
      ['app/overrides/server.', true],
    ])
    expect(keys('document')).toEqual([['app/overrides/', true]])
  })

  it('keeps only the outermost scope when a top-level key is written with nested ones', () => {
    const scopes = scopesOf(['pool.limits.hard', 'pool.max', 'debug'], 'object', layout)
    expect(scopes.map((s) => s.key)).toEqual(['app/overrides/'])
  })
})

describe('KnownRevisions', () => {
  it('trusts a later revision only for the scopes a save compared when another writer may have been in between', () => {
    const known = new KnownRevisions()
    known.loaded(10)
    const pool = { key: 'app/overrides/pool.', prefix: true }
    const server = { key: 'app/overrides/server.', prefix: true }
    known.verified([pool], 14)
    expect(known.of(pool)).toBe(14)
    expect(known.of({ key: 'app/overrides/pool.max', prefix: false })).toBe(14)
    expect(known.of(server)).toBe(10)
    expect(known.latest).toBe(14)
    known.loaded(20)
    expect(known.of(pool)).toBe(20)
  })
})
