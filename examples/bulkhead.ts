/**
 * `Bulkhead`: a cap on how many calls run at once, so one slow downstream cannot take every
 * connection of the caller.
 *
 * Two calls may run, one may wait. Four calls arrive together: two run, one queues, and the fourth
 * is refused at once with `BulkheadRejectedError` (fail fast, rather than pile up). When a running
 * call finishes, the queued one takes its slot.
 *
 * Run it: `npm run example:bulkhead` (from the repository root).
 */
import { pathToFileURL } from 'node:url'

import { Bulkhead, isBulkheadRejectedError } from '@storefront/resilience'

export async function main(log: (line: string) => void = console.log): Promise<void> {
  const start = performance.now()
  const say = (line: string): void => {
    log(`${elapsed(start)}  ${line}`)
  }

  const bulkhead = new Bulkhead({ maxConcurrent: 2, maxQueue: 1 })

  /** One database query of 100 ms, run through the bulkhead. */
  const query = async (n: number): Promise<void> => {
    try {
      await bulkhead.execute(() => {
        say(`query ${n}: running (active ${bulkhead.active}, queued ${bulkhead.queued})`)
        return new Promise((resolve) => setTimeout(resolve, 100))
      })
      say(`query ${n}: done`)
    } catch (error) {
      if (!isBulkheadRejectedError(error)) {
        throw error
      }
      say(`query ${n}: rejected at once (${error.message})`)
    }
  }

  // All four start in the same tick; the bulkhead decides who runs, who waits, who is refused.
  const queries = [1, 2, 3, 4].map(query)
  say(`after the burst: active ${bulkhead.active}, queued ${bulkhead.queued}`)
  await Promise.all(queries)
  say(`all settled: active ${bulkhead.active}, queued ${bulkhead.queued}`)
}

/** `+100 ms`: time since `start`, padded so the columns line up. */
function elapsed(start: number): string {
  return `+${Math.round(performance.now() - start)} ms`.padStart(8)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main()
}
