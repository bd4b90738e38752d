/**
 * The `CircuitBreaker` demo of the library contract (docs/spec/resilience.md, "Quality bar"): the
 * slow callback under the breaker.
 *
 * A slow callback (2 s) runs under a breaker with a 1 s timeout that opens after 2 failures inside
 * 5 s and stays open for 5 s. Four calls, a 5 s pause, four more calls:
 *
 * 1. calls 1 and 2 are sent and time out after 1 s each; the 2nd failure opens the circuit;
 * 2. calls 3 and 4 are refused at once with `CircuitOpenError` (no call is sent);
 * 3. after the pause the circuit is half-open: call 5 is the single probe, it times out, and the
 *    circuit opens again for another 5 s;
 * 4. calls 6 to 8 are refused at once.
 *
 * Step 3 is why the half-open state exists: the pause alone does not close the circuit. One probe
 * tests the downstream, and only a successful probe would close it.
 *
 * Run it: `npm run example:breaker` (from the repository root). It takes about 8 s.
 */
import { pathToFileURL } from 'node:url'

import { CircuitBreaker, type ExecutionContext, isCircuitOpenError, isTimeoutError } from '@storefront/resilience'

export async function main(log: (line: string) => void = console.log): Promise<void> {
  const start = performance.now()
  const say = (line: string): void => {
    log(`${elapsed(start)}  ${line}`)
  }

  const breaker = new CircuitBreaker({ timeoutMs: 1000, maxFailures: 2, windowMs: 5000, resetIntervalMs: 5000 })
  breaker.onStateChange((state, previous) => {
    say(`state: ${previous} -> ${state}`)
  })

  let call = 0
  /** One call through the breaker: prints how it ended and swallows the error, so the demo goes on. */
  const request = async (): Promise<void> => {
    const n = ++call
    try {
      await breaker.execute((context) => {
        // Only reached when the breaker lets the call through.
        say(`call ${n}: sent (state ${breaker.state})`)
        return slowCallback(context)
      })
      say(`call ${n}: succeeded`)
    } catch (error) {
      if (isTimeoutError(error)) {
        say(`call ${n}: timed out after ${error.timeoutMs} ms`)
      } else if (isCircuitOpenError(error)) {
        say(`call ${n}: refused fast, circuit open, retry after ${Math.ceil(error.retryAfterMs)} ms`)
      } else {
        throw error
      }
    }
  }

  for (let i = 0; i < 4; i++) {
    await request()
  }
  say('sleeping 5 s so the breaker can reset...')
  await new Promise((resolve) => setTimeout(resolve, 5000))
  for (let i = 0; i < 4; i++) {
    await request()
  }
}

/** The demo's slow callback: takes 2 s, but stops as soon as its signal aborts (the 1 s timeout). */
function slowCallback({ signal }: ExecutionContext): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, 2000)
    signal.addEventListener('abort', () => {
      clearTimeout(timer)
      reject(signal.reason)
    }, { once: true })
  })
}

/** `+1000 ms`: time since `start`, padded so the columns line up. */
function elapsed(start: number): string {
  return `+${Math.round(performance.now() - start)} ms`.padStart(9)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main()
}
