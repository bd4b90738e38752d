/**
 * Command-line helpers for service scripts: a progress bar, and the body of a `db:seed` command.
 * Re-exported by the package's `src/index.ts`.
 *
 * @module
 */
export { type ProgressBar, type ProgressBarOptions, type ProgressStream, progressBar } from './progress-bar.js'
export { type SeedCommandOptions, runSeedCommand } from './run-seed-command.js'
