/** What `hotconf --help` and `hotconf <command> --help` print, and which half of the tool runs a command. */
export interface CommandHelp {
  /** `offline` commands read files and load the schema; `online` ones only talk HTTP to a service. */
  readonly kind: 'offline' | 'online'
  readonly usage: string
  readonly summary: string
  readonly options?: readonly (readonly [flag: string, text: string])[]
  readonly example: string
}

const SCHEMA: readonly [string, string] = [
  '--schema <module>[#export]',
  'the module of the zod schema (.js, .mjs, or .ts through tsx); the export defaults to `schema`, then `default`',
]
const WRITE: readonly (readonly [string, string])[] = [
  ['--reason <text>', 'why, recorded in history and the audit log'],
  [
    '--actor <name>',
    'who, recorded beside the reason as cli:<name> (default: HOTCONF_ACTOR, else your user name)',
  ],
  ['--if-revision <n>', 'only if the live revision is still n (If-Match); else exit 4'],
]
const TTL = [
  '--ttl <duration>',
  'the change expires after this long (15m; ms, s, m or h): then its overrides are reset',
] as const
const PROBATION = [
  '--probation <duration>',
  "the change is on probation this long (5m): the service's checks revert it if they fail",
] as const
const ONE_OF = (...names: string[]) => WRITE.filter(([flag]) => names.some((n) => flag.startsWith(n)))

export const COMMANDS: Readonly<Record<string, CommandHelp>> = {
  check: {
    kind: 'offline',
    usage: 'hotconf check --schema <module>[#export] [--env <name>] [--env-vars <PREFIX>] <files...>',
    summary: 'validate config files as the store would layer them; exit 1 and file:line:col for each issue',
    options: [
      SCHEMA,
      [
        '--env <name>',
        'the environment: {environment} in a file name (an optional profile) becomes it (default NODE_ENV, else development)',
      ],
      ['--env-vars <PREFIX>', 'also layer the current environment variables under PREFIX, as envSource does'],
      ['--json', 'the issues as JSON'],
    ],
    example:
      "hotconf check --schema ./src/config-schema.ts --env production config/default.yaml 'config/{environment}.yaml'",
  },
  schema: {
    kind: 'offline',
    usage: 'hotconf schema --schema <module>[#export] [--io input|output] [--partial] [--out <file>]',
    summary: 'print the JSON Schema of the config (secrets marked, restart keys annotated) for editors',
    options: [
      SCHEMA,
      [
        '--io input|output',
        'what a file may hold (input, the default: defaulted keys optional) or what the store holds',
      ],
      ['--partial', 'no key required: for a profile file that sets only some keys'],
      ['--out <file>', 'write it to a file'],
    ],
    example: 'hotconf schema --schema ./dist/config-schema.js --out config/schema.json',
  },
  explain: {
    kind: 'offline',
    usage:
      'hotconf explain --schema <module>[#export] [--env <name>] [--env-vars <PREFIX>] <files...> <path>',
    summary: 'which layer gives a path its value, and what it shadows',
    options: [
      SCHEMA,
      ['--env <name>', 'as for check'],
      ['--env-vars <PREFIX>', 'as for check'],
      ['--json', 'the explanation as JSON'],
    ],
    example:
      'hotconf explain --schema ./schema.mjs --env production config/default.yaml config/production.yaml pool.max',
  },
  get: {
    kind: 'online',
    usage: 'hotconf get [path]',
    summary: 'the live config, or the value at a dotted path (secrets redacted)',
    example: 'hotconf get pool.max',
  },
  set: {
    kind: 'online',
    usage: 'hotconf set <path> <value> --reason <text> [--ttl <duration>] [--probation <duration>]',
    summary: 'set one value; the value is parsed as JSON, else taken as a string',
    options: [...WRITE, TTL, PROBATION],
    example: "hotconf set pool.max 20 --reason 'traffic spike'",
  },
  patch: {
    kind: 'online',
    usage: 'hotconf patch [-f <file>|-] --reason <text> [--ttl <duration>] [--probation <duration>]',
    summary: 'apply a JSON merge patch (RFC 7396) from a file or standard input',
    options: [['-f, --file <file>', 'the patch; - or none reads standard input'], ...WRITE, TTL, PROBATION],
    example: `echo '{"pool":{"max":20}}' | hotconf patch --reason 'traffic spike'`,
  },
  validate: {
    kind: 'online',
    usage: 'hotconf validate [-f <file>|-]',
    summary: 'dry-run a merge patch: the diff it would make, or why it would be rejected (exit 1)',
    options: [['-f, --file <file>', 'the patch; - or none reads standard input']],
    example: 'hotconf validate -f change.json',
  },
  diff: {
    kind: 'online',
    usage: 'hotconf diff <revision> [revision]',
    summary: 'what changed between two revisions (the second defaults to the live one), from history',
    example: 'hotconf diff 41',
  },
  history: {
    kind: 'online',
    usage: 'hotconf history [--limit <n>]',
    summary: 'committed transactions, newest first',
    options: [['--limit <n>', 'at most n entries']],
    example: 'hotconf history --limit 5',
  },
  events: {
    kind: 'online',
    usage: 'hotconf events [--limit <n>]',
    summary: 'every transaction outcome, rejected and rolled back ones too',
    options: [['--limit <n>', 'at most n records']],
    example: 'hotconf events --limit 20',
  },
  rollback: {
    kind: 'online',
    usage: 'hotconf rollback <revision|snapshot-id> --reason <text>',
    summary: 'return to an earlier revision or a snapshot, as a new transaction (admin)',
    options: WRITE,
    example: "hotconf rollback 41 --reason 'bad deploy'",
  },
  snapshot: {
    kind: 'online',
    usage: 'hotconf snapshot [--label <text>] [--tag <tag>...]',
    summary: 'pin the live revision so rollback can reach it later',
    options: [
      ['--label <text>', 'a name for people'],
      ['--tag <tag>', 'a tag; repeat for more'],
    ],
    example: "hotconf snapshot --label 'before the sale'",
  },
  snapshots: {
    kind: 'online',
    usage: 'hotconf snapshots [--tag <tag>]',
    summary: 'the pinned snapshots',
    options: [['--tag <tag>', 'only those with this tag']],
    example: 'hotconf snapshots',
  },
  export: {
    kind: 'online',
    usage: 'hotconf export [--include-secrets] [--out <file>]',
    summary: 'the live config as an export document (secrets redacted unless asked for, which needs admin)',
    options: [
      ['--include-secrets', 'the real secret values (admin)'],
      ['--out <file>', 'write it to a file'],
    ],
    example: 'hotconf export --out backup.json',
  },
  import: {
    kind: 'online',
    usage: 'hotconf import <file> --reason <text>',
    summary:
      'replace the runtime config with an export document; redacted secrets keep their live value (admin)',
    options: ONE_OF('--reason', '--actor', '--if-revision'),
    example: "hotconf import backup.json --reason 'restore'",
  },
  reload: {
    kind: 'online',
    usage: 'hotconf reload',
    summary: 'make the service re-read every source',
    options: ONE_OF('--reason', '--actor', '--if-revision'),
    example: 'hotconf reload',
  },
  reset: {
    kind: 'online',
    usage: 'hotconf reset [path] --reason <text>',
    summary: 'drop runtime overrides, all or under a path (admin)',
    options: WRITE,
    example: "hotconf reset pool --reason 'back to the files'",
  },
  probation: {
    kind: 'online',
    usage: 'hotconf probation [check | confirm|revert <revision> --reason <text>]',
    summary:
      "the changes on probation; run the service's checks now, or confirm one (keep it) or revert it by hand",
    options: ONE_OF('--reason', '--actor'),
    example: "hotconf probation revert 42 --reason 'p99 doubled'",
  },
  status: {
    kind: 'online',
    usage: 'hotconf status',
    summary: 'revision, environment, pending restarts, adapters and sources',
    example: 'hotconf status',
  },
  watch: {
    kind: 'online',
    usage: 'hotconf watch',
    summary: 'follow the change stream, one line per change; resumes after a dropped connection',
    example: 'hotconf watch --json | jq .revision',
  },
}

export const ONLINE_OPTIONS: readonly (readonly [string, string])[] = [
  ['--url <url>', 'the admin API, e.g. http://127.0.0.1:7070/config (or HOTCONF_URL)'],
  [
    '--token <token>',
    'a bearer token (or HOTCONF_TOKEN, or a file named by HOTCONF_TOKEN_FILE); prefer the variables: argv is visible to other users',
  ],
  ['--json', 'print JSON for scripts'],
]

/** `hotconf --help`. */
export function generalHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length)) + 2
  const list = (kind: CommandHelp['kind']) =>
    Object.entries(COMMANDS)
      .filter(([, c]) => c.kind === kind)
      .map(([name, c]) => `  ${name.padEnd(width)}${c.summary}\n  ${''.padEnd(width)}e.g. ${c.example}`)
      .join('\n')
  return [
    'hotconf: check config files, export the schema, and operate a running service',
    '',
    'Usage: hotconf <command> [options]   (hotconf <command> --help for its options)',
    '',
    'Offline (no service needed):',
    list('offline'),
    '',
    'Online (against the admin API of hotconf/http):',
    list('online'),
    '',
    'Online options:',
    options(ONLINE_OPTIONS),
    '',
    'Exit codes: 0 done, 1 rejected/invalid/rolled back, 2 usage error, 3 cannot connect or not authorised, 4 conflict (stale --if-revision).',
  ].join('\n')
}

/** `hotconf <command> --help`. */
export function commandHelp(name: string, command: CommandHelp): string {
  const all = [...(command.options ?? []), ...(command.kind === 'online' ? ONLINE_OPTIONS : [])]
  return [
    `Usage: ${command.usage}`,
    '',
    `${name}: ${command.summary}`,
    ...(all.length ? ['', 'Options:', options(all)] : []),
    '',
    'Example:',
    `  ${command.example}`,
  ].join('\n')
}

// --- internal ---

function options(list: readonly (readonly [string, string])[]): string {
  const width = Math.max(...list.map(([flag]) => flag.length)) + 2
  return list.map(([flag, text]) => `  ${flag.padEnd(width)}${text}`).join('\n')
}
