export type { DocumentFormat } from '../formats/parse-document.ts'
export { type EnvSourceOptions, envSource } from './env-source.ts'
export { type FileSourceOptions, fileSource } from './file-source.ts'
