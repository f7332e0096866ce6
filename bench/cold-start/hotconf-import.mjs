// Cold start (measure 8): `import 'hotconf'` from its build, in a fresh process. Prints what bench/cold-start.ts reads.
const t0 = performance.now()
const hotconf = await import('../../dist/index.js')
const ms = performance.now() - t0
console.log(JSON.stringify({ ms, sinceStart: performance.now(), value: typeof hotconf.createConfigStore }))
