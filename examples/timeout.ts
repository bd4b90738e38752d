/**
 * `withTimeout`: like Python's `asyncio.wait_for`, with cancellation that reaches the work.
 *
 * The operation receives a `signal` and passes it to its I/O (here a fake `fetch`). A fast call
 * returns its result; a slow one is rejected with `TimeoutError` after 500 ms, and its signal is
 * aborted so the request behind it stops instead of running on unobserved.
 *
 * Run it: `npm run example:timeout` (from the repository root).
 */
import { pathToFileURL } from 'node:url'

import { isTimeoutError, withTimeout } from '@storefront/resilience'

export async function main(log: (line: string) => void = console.log): Promise<void> {
  const start = performance.now()
  const say = (line: string): void => {
    log(`${elapsed(start)}  ${line}`)
  }

  /** Stands in for `fetch(url, { signal })`: answers after `latencyMs`, or stops when aborted. */
  const fakeFetch = (url: string, latencyMs: number, { signal }: { signal: AbortSignal }): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        resolve(`200 OK from ${url}`)
      }, latencyMs)
      signal.addEventListener('abort', () => {
        clearTimeout(timer)
        say(`fetch ${url}: aborted, request cancelled`)
        reject(signal.reason)
      }, { once: true })
    })

  for (const [url, latencyMs] of [['/products/fast', 200], ['/products/slow', 3000]] as const) {
    say(`fetch ${url} (takes ${latencyMs} ms, limit 500 ms)`)
    try {
      const response = await withTimeout(({ signal }) => fakeFetch(url, latencyMs, { signal }), 500)
      say(`fetch ${url}: ${response}`)
    } catch (error) {
      if (!isTimeoutError(error)) {
        throw error
      }
      say(`fetch ${url}: TimeoutError after ${error.timeoutMs} ms`)
    }
  }
}

/** `+500 ms`: time since `start`, padded so the columns line up. */
function elapsed(start: number): string {
  return `+${Math.round(performance.now() - start)} ms`.padStart(8)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main()
}
