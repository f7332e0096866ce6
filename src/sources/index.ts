export { type EnvSourceOptions, envSource } from './env-source.ts'
export { type FileSourceOptions, fileSource } from './file-source.ts'
export type { DocumentFormat } from './parse-document.ts'
