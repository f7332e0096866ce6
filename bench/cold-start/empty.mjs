// Cold start (measure 8): a process that loads nothing, for the cost of starting Node itself.
const t0 = performance.now()
console.log(JSON.stringify({ ms: performance.now() - t0, sinceStart: performance.now(), value: 'empty' }))
