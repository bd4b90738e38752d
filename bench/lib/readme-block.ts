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
