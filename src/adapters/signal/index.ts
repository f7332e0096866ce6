export { onSignal } from './on-signal.ts'
