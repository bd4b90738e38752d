/**
 * What each page asks for on a first visit: the page, its style sheet, its scripts and the data it
 * draws. The BFF, the services and their databases answer a first request of each kind slowly (code
 * not yet optimised, connections not yet open, caches empty); a shop that has been up a while does
 * not, and the audit measures that shop.
 */
const FIRST_VISIT = [
  '/',
  '/ops',
  '/assets/styles.css',
  '/assets/storefront.js',
  '/assets/ops.js',
  '/products/all?limit=48',
  '/ops/stats',
  '/ops/faults',
  '/ops/traces',
]

/** Rounds of {@link FIRST_VISIT} before the audits. */
const ROUNDS = 5

/** Asks the BFF at `origin` for everything a first visit asks for, a few times over, and reads each answer. */
export async function warmUp(origin: string): Promise<void> {
  for (let round = 0; round < ROUNDS; round++) {
    for (const path of FIRST_VISIT) {
      const response = await fetch(`${origin}${path}`)
      await response.arrayBuffer()
    }
  }
}
