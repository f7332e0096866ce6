// A CommonJS consumer: require(esm) loads hotconf on Node >= 20.19 / 22.12.
const { createConfigStore } = require('hotconf')
const { envSource } = require('hotconf/sources')

if (typeof createConfigStore !== 'function' || typeof envSource !== 'function')
  throw new Error('require(hotconf)')
console.log(`ok cjs ${process.version}`)
