/**
 * `pipeline`: a timeout, retries and a circuit breaker composed into one policy, outermost first.
 *
 * `pipeline(timeoutPolicy(1000), retryPolicy(...), breaker)` bounds the whole call (retries
 * included) to 1 s, retries inside that second, and sends each attempt through the breaker.
 * Four calls to the cart service show what each layer does:
 *
 * 1. the service fails once, then answers: the retry absorbs the blip;
 * 2. the service hangs: the outer timeout ends the whole call after 1000 ms and aborts the
 *    attempt still running. That timeout is the caller's budget, outside the breaker, so the
 *    breaker does not hold it against the service (a per-attempt limit inside it would count);
 * 3. the service is down: its second failed attempt is the breaker's 3rd failure with the blip,
 *    so the breaker opens; the retry's next attempt is refused without reaching the service, and a
 *    refusal is not retried;
 * 4. the service is still down: the breaker refuses the first attempt, so the call fails at once
 *    and the struggling service gets no traffic at all.
 *
 * Run it: `npm run example:pipeline` (from the repository root).
 */
import { pathToFileURL } from 'node:url'

import {
  CircuitBreaker,
  type ExecutionContext,
  isCircuitOpenError,
  pipeline,
  retryPolicy,
  timeoutPolicy,
} from '@storefront/resilience'

export async function main(log: (line: string) => void = console.log): Promise<void> {
  const start = performance.now()
  const say = (line: string): void => {
    log(`${elapsed(start)}  ${line}`)
  }

  const breaker = new CircuitBreaker({ name: 'cart', maxFailures: 3, windowMs: 10_000, resetIntervalMs: 10_000 })
  breaker.onStateChange((state, previous) => {
    say(`breaker: ${previous} -> ${state}`)
  })
  const cartPolicy = pipeline(
    timeoutPolicy(1000), // the whole call, retries included
    retryPolicy({ maxAttempts: 3, intervalMs: 100 }),
    breaker, // innermost: counts every attempt
  )

  // The cart service's behaviour, one per scenario.
  let flakyCalls = 0
  const flaky = (): Promise<string> =>
    ++flakyCalls === 1 ? Promise.reject(new Error('ECONNRESET')) : Promise.resolve('2 items')
  const hanging = ({ signal }: ExecutionContext): Promise<string> =>
    new Promise((_resolve, reject) => {
      signal.addEventListener('abort', () => {
        say('cart: the hanging request was aborted')
        reject(signal.reason)
      }, { once: true })
    })
  const down = (): Promise<string> => Promise.reject(new Error('ECONNREFUSED'))

  const scenarios = [['flaky', flaky], ['hanging', hanging], ['down', down], ['still down', down]] as const
  for (const [name, service] of scenarios) {
    say(`GET /cart (${name})`)
    try {
      const cart = await cartPolicy.execute((context) => {
        say(`  attempt ${context.attempt} sent`)
        return service(context)
      })
      say(`  -> ${cart}`)
    } catch (error) {
      // A refusal says when the breaker will let a probe through: a good `retry-after` for the client.
      const retryAfter = isCircuitOpenError(error) ? `, retry after ${Math.ceil(error.retryAfterMs)} ms` : ''
      say(`  -> ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}${retryAfter}`)
    }
  }
}

/** `+1100 ms`: time since `start`, padded so the columns line up. */
function elapsed(start: number): string {
  return `+${Math.round(performance.now() - start)} ms`.padStart(9)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main()
}
