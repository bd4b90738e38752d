/**
 * `RetryBudget`: retries that cannot multiply the load during an outage.
 *
 * The inventory service is down and every call fails. Each of 10 requests may try 3 times, which
 * without a budget would send 30 calls to a service that is already struggling. A shared budget
 * allows retries only up to 20% of the requests seen in its window: most requests fail after
 * their first attempt (`TooManyRetriesError` with reason `'budget'`), and the service sees 12
 * calls instead of 30.
 *
 * Run it: `npm run example:retry-budget` (from the repository root).
 */
import { pathToFileURL } from 'node:url'

import { RetryBudget, isTooManyRetriesError, retry } from '@storefront/resilience'

export async function main(log: (line: string) => void = console.log): Promise<void> {
  const start = performance.now()
  const say = (line: string): void => {
    log(`${elapsed(start)}  ${line}`)
  }

  // Share one budget among all calls to one downstream. `minPerSecond: 0` drops the floor of retries
  // always allowed (10 per second by default), so the 20% ratio alone decides in this small demo.
  const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 0, windowMs: 10_000 })

  let sent = 0
  /** The inventory service during the outage. */
  const callInventory = (): Promise<never> => {
    sent++
    return Promise.reject(new Error('503 Service Unavailable'))
  }

  const requests = 10
  for (let n = 1; n <= requests; n++) {
    try {
      await retry(callInventory, { maxAttempts: 3, intervalMs: 100, budget })
    } catch (error) {
      if (!isTooManyRetriesError(error)) {
        throw error
      }
      const why = error.reason === 'budget' ? 'the budget refused a retry' : 'attempts used up'
      say(`request ${n}: failed after ${error.attempts} attempt${error.attempts === 1 ? '' : 's'} (${why})`)
    }
  }
  say(`inventory received ${sent} calls for ${requests} requests (without a budget: ${requests * 3})`)
}

/** `+100 ms`: time since `start`, padded so the columns line up. */
function elapsed(start: number): string {
  return `+${Math.round(performance.now() - start)} ms`.padStart(8)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main()
}
