/**
 * `Deadline`: one time budget carried across services in the `x-request-timeout-ms` header.
 *
 * The BFF gives a page request 1000 ms. It spends 300 ms on its own work, then calls the products
 * service with the 700 ms that are left. Products reads the header and runs its database query
 * under that deadline. The database is stalled; on its own, products would try 3 times for
 * 500 ms each, about 1.7 s in all. Under the deadline it stops at +1000 ms, the moment the BFF can
 * no longer use an answer, and no work goes on after the caller has given up.
 *
 * The two "services" are plain functions here, and the headers a plain object; over HTTP the code
 * is the same.
 *
 * Run it: `npm run example:deadline-propagation` (from the repository root).
 */
import { pathToFileURL } from 'node:url'

import { DEADLINE_HEADER, Deadline, type ExecutionContext, isTooManyRetriesError, retry } from '@storefront/resilience'

type Headers = Record<string, string>

export async function main(log: (line: string) => void = console.log): Promise<void> {
  const start = performance.now()
  const say = (line: string): void => {
    log(`${elapsed(start)}  ${line}`)
  }
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

  /** The stalled database: a query that would take 2 s, cancelled when its signal aborts. */
  const slowQuery = ({ attempt, signal }: ExecutionContext): Promise<string[]> => {
    say(`products: db query, attempt ${attempt}`)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        resolve(['kettle'])
      }, 2000)
      signal.addEventListener('abort', () => {
        clearTimeout(timer)
        say(`products: db query, attempt ${attempt} aborted (${signal.reason instanceof Error ? signal.reason.message : 'aborted'})`)
        reject(signal.reason)
      }, { once: true })
    })
  }

  /** The products service's handler. */
  const productsService = async (headers: Headers): Promise<{ status: number; body: string }> => {
    // Trust the caller's budget, but never beyond our own limit; without a header, use our default.
    const deadline = Deadline.fromHeader(headers[DEADLINE_HEADER], { maxMs: 5000 }) ?? Deadline.after(5000)
    say(`products: received ${DEADLINE_HEADER}: ${headers[DEADLINE_HEADER] ?? '(none)'}`)
    try {
      const rows = await retry(slowQuery, { maxAttempts: 3, timeoutMs: 500, intervalMs: 100, deadline })
      return { status: 200, body: JSON.stringify(rows) }
    } catch (error) {
      if (!isTooManyRetriesError(error)) {
        throw error
      }
      say(`products: gave up after ${error.attempts} attempts (${error.reason}), ${Math.floor(deadline.remainingMs())} ms left`)
      return { status: 504, body: 'Gateway Timeout' }
    }
  }

  // The BFF: the page request gets 1000 ms in all.
  const deadline = Deadline.after(1000)
  say('bff: page request, budget 1000 ms')
  await sleep(300) // its own work first (session, feature flags...)
  const headers: Headers = { [DEADLINE_HEADER]: deadline.toHeader() }
  say(`bff: calling products with ${DEADLINE_HEADER}: ${headers[DEADLINE_HEADER] ?? ''}`)
  const response = await productsService(headers)
  say(`bff: products answered ${response.status} ${response.body}; deadline expired: ${deadline.expired}`)
}

/** `+300 ms`: time since `start`, padded so the columns line up. */
function elapsed(start: number): string {
  return `+${Math.round(performance.now() - start)} ms`.padStart(9)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main()
}
