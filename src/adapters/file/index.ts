export { type WatchFilesOptions, watchFiles } from './watch-files.ts'
