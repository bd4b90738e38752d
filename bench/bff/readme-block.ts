import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const BLOCK = /<!-- bench:start -->[\s\S]*?<!-- bench:end -->/

/** Where the table went, and why not into the README when it did not. */
export interface WrittenBlock {
  readonly file: URL
  readonly fallbackReason?: string
}

/**
 * Writes `lines` between the `<!-- bench:start -->` and `<!-- bench:end -->` markers of `readme`.
 * A README without them (or none at all) is left alone, being someone else's text: the block then
 * goes into `fallback`, whole, with the reason.
 */
export function writeBenchBlock(readme: URL, fallback: URL, lines: readonly string[]): WrittenBlock {
  const block = ['<!-- bench:start -->', '<!-- Written by `npm run bench -- --update-readme`; edits here are overwritten. -->', '', ...lines, '', '<!-- bench:end -->'].join('\n')
  const text = existsSync(readme) ? readFileSync(readme, 'utf8') : undefined
  if (text !== undefined && BLOCK.test(text)) {
    // A function, so that `$` in the block is never read as a replacement pattern.
    writeFileSync(readme, text.replace(BLOCK, () => block))
    return { file: readme }
  }
  const path = fileURLToPath(readme)
  writeFileSync(fallback, `# Last run of the BFF benchmark\n\n${block}\n`)
  return { file: fallback, fallbackReason: text === undefined ? `${path} does not exist` : `${path} has no bench:start / bench:end markers` }
}
