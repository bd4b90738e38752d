import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** A README's benchmark block. The start marker may carry a note: `<!-- bench:start (…) -->`. */
const BLOCK = /<!-- bench:start[^>]*-->[\s\S]*?<!-- bench:end -->/

/**
 * Replaces what lies between `<!-- bench:start -->` and `<!-- bench:end -->` in `readme` with
 * `lines`, and says which command wrote them. The rest of the README is someone's prose: a README
 * without the markers is an error, never guessed at.
 */
export function writeReadmeBlock(readme: URL, command: string, lines: readonly string[]): void {
  const text = readFileSync(readme, 'utf8')
  if (!BLOCK.test(text)) {
    throw new Error(`${fileURLToPath(readme)} has no <!-- bench:start --> / <!-- bench:end --> markers`)
  }
  const block = ['<!-- bench:start -->', `<!-- Written by \`${command}\`; edits here are overwritten. -->`, '', ...lines, '', '<!-- bench:end -->'].join('\n')
  // A function, so that `$` in the block is never read as a replacement pattern.
  writeFileSync(readme, text.replace(BLOCK, () => block))
}

/** Options of {@link publishFigures}. */
export interface PublishFiguresOptions {
  /** False when the run is not to be trusted (a failed request, a missing side): nothing is written. */
  readonly valid: boolean
  /** Whether `--update-readme` was given. */
  readonly updateReadme: boolean
  /** The repository root. */
  readonly root: URL
  /** The README the block is in, from the root: `services/README.md`. */
  readonly readme: string
  /** The command that writes the block, named in it: `npm run bench:services -- --update-readme`. */
  readonly command: string
  /** Where the run ran and how busy the machine was; the block's first line. */
  readonly machine: string
  /** How the run was set up; the block's second line. */
  readonly setup: string
  /** The rest of the block: tables and notes. */
  readonly lines: readonly string[]
}

/**
 * The end of a benchmark that has printed its report: with `--update-readme`, writes the figures
 * into the README's block (the machine and setup lines first, so that a figure never stands
 * without them) and says so. Returns the run's exit code: 1 for a run that is not valid, whose
 * figures are never written, else 0.
 */
export function publishFigures(options: PublishFiguresOptions): number {
  if (!options.valid) {
    if (options.updateReadme) {
      console.log(`\n${options.readme} left as it was: this run is not valid.`)
    }
    return 1
  }
  if (options.updateReadme) {
    writeReadmeBlock(new URL(options.readme, options.root), options.command, [`${options.machine}.`, '', `${options.setup}.`, '', ...options.lines])
    console.log(`\nWrote the figures into ${options.readme}`)
  }
  return 0
}
