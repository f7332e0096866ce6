export { type OnSignalOptions, onSignal } from './on-signal.ts'
