// Cold start (measure 8): `import 'zod'` alone, in a fresh process: what a service pays anyway, before hotconf.
const t0 = performance.now()
const { z } = await import('zod')
const ms = performance.now() - t0
console.log(JSON.stringify({ ms, sinceStart: performance.now(), value: typeof z.object }))
