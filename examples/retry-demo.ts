/**
 * The `retry` demo of the library contract (docs/spec/resilience.md, "Quality bar"): `always_fail`
 * and `always_timeout` under `retry`.
 *
 * Two operations that never succeed run under `retry` with 3 attempts, a 100 ms limit per attempt
 * and a 100 ms pause between attempts:
 *
 * - `alwaysFail` throws `'I failed'` at once, so each attempt fails immediately;
 * - `alwaysTimeout` sleeps for 1 s, so each attempt runs into its 100 ms limit. A promise cannot
 *   be cancelled from outside, so the library aborts the attempt's `signal`: the sleep listens to
 *   it and stops, so no abandoned work piles up behind the timeouts.
 *
 * Both end in `TooManyRetriesError`, printed as "Too many retries".
 *
 * Run it: `npm run example:retry` (from the repository root).
 */
import { pathToFileURL } from 'node:url'

import { type ExecutionContext, type Operation, type RetryEvent, isTooManyRetriesError, retry } from '@storefront/resilience'

/** `always_fail`: rejects every time. */
function alwaysFail(): Promise<never> {
  return Promise.reject(new Error('I failed'))
}

/** `always_timeout`: takes 1 s, far past the 100 ms limit, but stops when told to. */
function alwaysTimeout({ signal }: ExecutionContext): Promise<void> {
  return sleep(1000, signal)
}

export async function main(log: (line: string) => void = console.log): Promise<void> {
  await demo('always_fail', alwaysFail, log)
  await demo('always_timeout', alwaysTimeout, log)
}

/** Runs one operation under the demo's retry settings (3 attempts, 100 ms each, 100 ms apart) and prints every step. */
async function demo(name: string, operation: Operation<unknown>, log: (line: string) => void): Promise<void> {
  log(`--- ${name} ---`)
  // Each demo keeps its own clock, so its timeline starts at +0 ms.
  const start = performance.now()
  const say = (line: string): void => {
    log(`${elapsed(start)}  ${line}`)
  }
  try {
    await retry(
      (context) => {
        say(`attempt ${context.attempt}: started`)
        // The library aborts this signal when it gives up on the attempt (here: after 100 ms).
        context.signal.addEventListener('abort', () => {
          say(`attempt ${context.attempt}: saw its signal abort (${describe(context.signal.reason)})`)
        }, { once: true })
        return operation(context)
      },
      {
        maxAttempts: 3,
        timeoutMs: 100,
        intervalMs: 100,
        // Called after a failed attempt, before the pause; the last failure goes to the catch below.
        onRetry: ({ attempt, error, delayMs }: RetryEvent) => {
          say(`attempt ${attempt}: failed with ${describe(error)}; retrying in ${delayMs} ms`)
        },
      },
    )
  } catch (error) {
    if (!isTooManyRetriesError(error)) {
      throw error
    }
    say(`attempt ${error.attempts}: failed with ${describe(error.cause)}`)
    say(`Too many retries (${error.attempts} attempts)`)
  }
}

/** Waits `ms`, or rejects with the abort reason as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason)
      return
    }
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      // Clearing the timer is what "stopping the work" means for a sleep.
      clearTimeout(timer)
      reject(signal.reason)
    }, { once: true })
  })
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

/** `+100 ms`: time since `start`, padded so the columns line up. */
function elapsed(start: number): string {
  return `+${Math.round(performance.now() - start)} ms`.padStart(9)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main()
}
