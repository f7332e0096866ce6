import { fmt, perRound, summarize } from './stats.ts'
import { type Figure, fmtMedian, type Row } from './table.ts'

/** The headline of one measure: which row is hotconf's, which rows are the peers', which rows carry its targets. */
interface Headline {
  readonly id: number
  readonly measure: string
  /** The label of hotconf's row. */
  readonly hotconf: string
  /** Labels of the peer libraries' rows for the same work (floors such as raw fs.watch are not peers). */
  readonly peers: readonly string[]
  /** `[short name, label]` of each row whose target the line shows. */
  readonly targets: readonly (readonly [string, string])[]
}

/**
 * One line per measure, in table order. Labels are those the measures write (see each `bench/<measure>.ts`); a label
 * that is not in the results shows as `not measured`.
 */
const HEADLINES: readonly Headline[] = [
  {
    id: 1,
    measure: 'read `db.pool.max`',
    hotconf: "hotconf `store.get('db.pool.max')`",
    peers: [
      "node-config `config.get('db.pool.max')`",
      'node-config `config.db.pool.max` (Proxy)',
      "convict `conf.get('db.pool.max')`",
      "nconf `nconf.get('db:pool:max')` (argv+env+file)",
    ],
    targets: [
      ['`current`', 'hotconf `store.current.db.pool.max`'],
      ['`get`', "hotconf `store.get('db.pool.max')`"],
      ['node-config `get`', 'node-config `get` ÷ hotconf `get`'],
    ],
  },
  {
    id: 2,
    measure: 'one-key committed update, 100 keys',
    hotconf: 'hotconf `store.set`, 100 keys',
    peers: ['convict `set` + `validate()`, 100 keys', 'nconf `set` (no validation), 100 keys'],
    targets: [
      ['100 keys', 'hotconf `store.set`, 100 keys'],
      ['10,000 keys', 'hotconf `store.set`, 10,000 keys'],
    ],
  },
  {
    id: 3,
    measure: 'update cost at 100,000 keys',
    hotconf: 'hotconf `store.set`, 100,000 keys',
    peers: [],
    targets: [['100,000 keys', 'hotconf `store.set`, 100,000 keys']],
  },
  {
    id: 4,
    measure: 'commits per second, one writer',
    hotconf: 'hotconf commits/s, one writer (100 keys)',
    peers: [],
    targets: [
      ['one writer', 'hotconf commits/s, one writer (100 keys)'],
      ['8 callers', 'hotconf commits/s, 8 callers (100 keys)'],
    ],
  },
  {
    id: 5,
    measure: 'heap of 1,000 history entries',
    hotconf: 'hotconf: 1,000 history entries, 10,000 keys, one key changed each',
    peers: ['node-config', 'convict', 'nconf'],
    targets: [['history', 'hotconf: 1,000 history entries, 10,000 keys, one key changed each']],
  },
  {
    id: 6,
    measure: 'file save → `changes$`, `fs.writeFile`',
    hotconf: 'hotconf watchFiles({ debounceMs: 0 }), `fs.writeFile`',
    peers: [
      'c12 `watchConfig` (debounce off) onWatch, `fs.writeFile`',
      'c12 `watchConfig` (debounce off) onUpdate, `fs.writeFile`',
      'node-config',
      'convict',
      'nconf',
    ],
    targets: [
      ['`debounceMs: 0`, `fs.writeFile`', 'hotconf watchFiles({ debounceMs: 0 }), `fs.writeFile`'],
      ['`debounceMs: 0`, tmp + rename', 'hotconf watchFiles({ debounceMs: 0 }), tmp + rename'],
      ['default debounce', 'hotconf watchFiles() (default debounce), `fs.writeFile`'],
    ],
  },
  {
    id: 7,
    measure: 'admin `GET /config`',
    hotconf: 'hotconf admin `GET /config`, throughput',
    peers: ['node-config', 'convict', 'nconf'],
    targets: [['`GET /config`', 'hotconf admin `GET /config`, throughput']],
  },
  {
    id: 8,
    measure: 'cold start to a ready store',
    hotconf: 'hotconf `createConfigStore`: 3 file layers + env, imports included',
    peers: [
      "node-config `require('config')` + `get`",
      'convict require + `loadFile` (3 files) + `validate` + `get`',
    ],
    targets: [['ready store', 'hotconf `createConfigStore`: 3 file layers + env, imports included']],
  },
  {
    id: 9,
    measure: 'reload after a one-key edit, YAML, 10,000 keys',
    hotconf: 'hotconf `reload()` after a one-key edit, YAML, 10,000 keys',
    peers: [],
    targets: [['10,000 keys', 'hotconf `reload()` after a one-key edit, YAML, 10,000 keys']],
  },
]

/**
 * The short summary that opens bench/README.md: per measure, hotconf's figure, the best peer's, how they compare
 * (the median of per-round ratios, as in the full table) and the targets with their verdicts.
 */
export function renderSummary(rows: readonly Row[]): string {
  const lines = [
    '| # | measure | hotconf | best peer | hotconf vs best peer | target: verdict |',
    '|---|---|---|---|---|---|',
  ]
  for (const headline of HEADLINES) {
    const measured = rows.filter((row) => row.id === headline.id)
    if (measured.length === 0) continue
    const find = (label: string) => measured.find((row) => row.label === label)
    const hotconf = find(headline.hotconf)
    const best = bestPeer(headline.peers.map(find).filter((row) => row !== undefined))
    const targets = headline.targets.flatMap(([name, label]) => {
      const row = find(label)
      return row?.target ? [`${name} ${row.target.text}: ${verdict(row)}`] : []
    })
    const cells = [
      String(headline.id),
      headline.measure,
      hotconf ? fmtMedian(hotconf.value) : 'not measured',
      best.row ? `${best.row.label}: ${fmtMedian(best.row.value)}` : best.why,
      hotconf && best.row ? compare(hotconf, best.row) : '',
      targets.length > 0 ? targets.join('<br>') : 'none (report only)',
    ]
    lines.push(`| ${cells.map(cell).join(' | ')} |`)
  }
  return lines.join('\n')
}

// --- internal ---

/** Per-second figures are better when higher; times and sizes when lower. */
function higherIsBetter(unit: string): boolean {
  return unit.endsWith('/s')
}

/** The peer with the best median, or why there is none to compare with. */
function bestPeer(peers: readonly Row[]): { row: Row } | { row?: undefined; why: string } {
  let best: { row: Row; figure: Figure } | undefined
  for (const row of peers) {
    if ('na' in row.value) continue
    const { median } = row.value.summary
    const better =
      !best ||
      (higherIsBetter(row.value.unit)
        ? median > best.figure.summary.median
        : median < best.figure.summary.median)
    if (better) best = { row, figure: row.value }
  }
  if (best) return { row: best.row }
  const reasons = new Set(peers.map((row) => ('na' in row.value ? row.value.na.replace(/^n\/a: /, '') : '')))
  return { why: peers.length === 0 ? 'no peer measured' : `none: ${[...reasons].join('; ')}` }
}

/** How many times faster or slower hotconf is, from per-round ratios of the two rows. */
function compare(hotconf: Row, peer: Row): string {
  if ('na' in hotconf.value || 'na' in peer.value) return ''
  const higher = higherIsBetter(hotconf.value.unit)
  const ratios = perRound(hotconf.value.summary.samples, peer.value.summary.samples, (h, p) =>
    higher ? p / h : h / p,
  )
  const slower = summarize(ratios).median
  return slower >= 1 ? `**${fmt(slower)}×** slower` : `**${fmt(1 / slower)}×** faster`
}

/** `met (x)` or `**missed** (x)`, x being the median the target is about (the row's ratio, else its figure). */
function verdict(row: Row): string {
  const about = row.ratio?.summary ?? ('na' in row.value ? undefined : row.value.summary)
  const figure = about ? ` (${fmt(about.median)})` : ''
  return row.target?.met ? `met${figure}` : `**missed**${figure}`
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ')
}
