/**
 * `settle`: the BFF fan-out, like Python's `asyncio.wait` with a timeout, over named calls.
 *
 * The page needs products, the cart and the favorites. All three start at once; after 300 ms the
 * page is built from whatever has arrived. Favorites is slow today: its outcome is
 * `{ status: 'timeout' }` and its request is aborted, and the page renders without it instead of
 * failing or waiting. One slow service costs the user 300 ms, not the whole page.
 *
 * Run it: `npm run example:settle` (from the repository root).
 */
import { pathToFileURL } from 'node:url'

import { type SettleOutcome, settle } from '@storefront/resilience'

export async function main(log: (line: string) => void = console.log): Promise<void> {
  const start = performance.now()
  const say = (line: string): void => {
    log(`${elapsed(start)}  ${line}`)
  }

  /** A downstream service that answers `value` after `latencyMs`, or stops when aborted. */
  const service = <T>(name: string, latencyMs: number, value: T) =>
    ({ signal }: { signal: AbortSignal }): Promise<T> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          say(`${name}: answered`)
          resolve(value)
        }, latencyMs)
        signal.addEventListener('abort', () => {
          clearTimeout(timer)
          say(`${name}: aborted (${signal.reason instanceof Error ? signal.reason.name : 'aborted'})`)
          reject(signal.reason)
        }, { once: true })
      })

  say('GET /page: calling products, cart and favorites at once, waiting at most 300 ms')
  const page = await settle(
    {
      products: service('products', 80, ['kettle', 'teapot', 'mug']),
      cart: service('cart', 120, { items: 2 }),
      favorites: service('favorites', 2000, ['teapot']), // slow today
    },
    { timeoutMs: 300 },
  )

  say(`products: ${show(page.products)}`)
  say(`cart: ${show(page.cart)}`)
  say(`favorites: ${show(page.favorites)}`)
  // Degrade, do not fail: the page is still useful without favorites.
  const favorites = page.favorites.status === 'fulfilled' ? page.favorites.value : []
  say(`page rendered with ${favorites.length} favorites`)
}

function show(outcome: SettleOutcome<unknown>): string {
  switch (outcome.status) {
    case 'fulfilled':
      return `fulfilled ${JSON.stringify(outcome.value)}`
    case 'rejected':
      return `rejected (${String(outcome.reason)})`
    case 'timeout':
      return 'timeout'
  }
}

/** `+300 ms`: time since `start`, padded so the columns line up. */
function elapsed(start: number): string {
  return `+${Math.round(performance.now() - start)} ms`.padStart(8)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main()
}
