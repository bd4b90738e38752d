/**
 * Per-call overhead of resilience policies around an already-resolved async call, in one process:
 * @storefront/resilience beside cockatiel and opossum and a bare `await`.
 *
 * Cases run interleaved, round after round, so that machine noise hits them all alike; the table
 * reports each case's median over the rounds and its ratio to the bare await measured in the same
 * rounds. `--update-readme` writes the table into packages/resilience/README.md.
 */
import {
  AdaptiveLimiter,
  AdaptiveThrottle,
  CircuitBreaker,
  pipeline,
  retry,
  retryPolicy,
  timeoutPolicy,
  withTimeout,
} from '@storefront/resilience'
import {
  ConsecutiveBreaker,
  TimeoutStrategy,
  circuitBreaker,
  handleAll,
  retry as cockatielRetry,
  timeout as cockatielTimeout,
  wrap,
} from 'cockatiel'
import Opossum from 'opossum'

import { formatTable } from '../lib/format-table.js'
import { describePlatform } from '../lib/machine.js'
import { measureInterleaved } from '../lib/measure.js'
import { writeReadmeBlock } from '../lib/readme-block.js'

// An already-resolved async call: what remains is the policies' own cost.
const work = (): Promise<number> => Promise.resolve(42)

// Thresholds and intervals large enough that nothing trips or fires during the run.
const oursBreaker = new CircuitBreaker({ maxFailures: 5, windowMs: 60_000, resetIntervalMs: 30_000 })
const oursComposedBreaker = new CircuitBreaker({ maxFailures: 5, windowMs: 60_000, resetIntervalMs: 30_000 })
// A limit far above one call in flight, so the limiter never refuses; its algorithm still runs per call.
const oursLimiter = new AdaptiveLimiter({ initial: 1000, max: 1000 })
const oursVegasLimiter = new AdaptiveLimiter({ initial: 1000, max: 1000, algorithm: 'vegas' })
// Every call succeeds, so the throttle never refuses and never draws a random number.
const oursThrottle = new AdaptiveThrottle()
const oursRetry = retryPolicy({ maxAttempts: 3 })
const oursComposed = pipeline(timeoutPolicy(1000), retryPolicy({ maxAttempts: 3 }), oursComposedBreaker)

const cockatielBreaker = circuitBreaker(handleAll, { halfOpenAfter: 30_000, breaker: new ConsecutiveBreaker(5) })
// cockatiel's maxAttempts counts retries, so 2 means 3 calls at most, as maxAttempts: 3 does here.
const cockatielRetryPolicy = cockatielRetry(handleAll, { maxAttempts: 2 })
const cockatielTimeoutPolicy = cockatielTimeout(1000, TimeoutStrategy.Cooperative)
const cockatielComposed = wrap(
  cockatielTimeout(1000, TimeoutStrategy.Cooperative),
  cockatielRetry(handleAll, { maxAttempts: 2 }),
  circuitBreaker(handleAll, { halfOpenAfter: 30_000, breaker: new ConsecutiveBreaker(5) }),
)

const opossumBreaker = new Opossum(work, { timeout: false, resetTimeout: 30_000, errorThresholdPercentage: 50 })
const opossumTimeoutBreaker = new Opossum(work, { timeout: 1000, resetTimeout: 30_000, errorThresholdPercentage: 50 })

interface Case {
  readonly group: string
  readonly library: string
  readonly run: () => Promise<unknown>
}

const cases: Case[] = [
  { group: 'bare await', library: '-', run: () => work() },
  { group: 'breaker alone', library: '@storefront/resilience', run: () => oursBreaker.execute(work) },
  { group: 'breaker alone', library: 'cockatiel', run: () => cockatielBreaker.execute(work) },
  { group: 'breaker alone', library: 'opossum (timeout: false)', run: () => opossumBreaker.fire() },
  { group: 'adaptive limiter alone', library: '@storefront/resilience', run: () => oursLimiter.execute(work) },
  { group: 'adaptive limiter alone (Vegas)', library: '@storefront/resilience', run: () => oursVegasLimiter.execute(work) },
  { group: 'adaptive throttle alone', library: '@storefront/resilience', run: () => oursThrottle.execute(work) },
  { group: 'retry alone', library: '@storefront/resilience', run: () => oursRetry.execute(work) },
  { group: 'retry alone', library: '@storefront/resilience retry()', run: () => retry(work, { maxAttempts: 3 }) },
  { group: 'retry alone', library: 'cockatiel', run: () => cockatielRetryPolicy.execute(work) },
  { group: 'timeout alone', library: '@storefront/resilience', run: () => withTimeout(work, 1000) },
  { group: 'timeout alone', library: 'cockatiel (cooperative)', run: () => cockatielTimeoutPolicy.execute(work) },
  { group: 'timeout+retry+breaker', library: '@storefront/resilience', run: () => oursComposed.execute(work) },
  { group: 'timeout+retry+breaker', library: 'cockatiel wrap()', run: () => cockatielComposed.execute(work) },
  { group: 'timeout+breaker', library: 'opossum (timeout: 1000)', run: () => opossumTimeoutBreaker.fire() },
]

const quick = process.argv.includes('--quick')
const results = await measureInterleaved(
  cases.map((c) => c.run),
  { callsPerSample: quick ? 5_000 : 20_000, rounds: quick ? 5 : 15 },
)
const bare = results[0]!

const rows = cases.map((c, index) => {
  const result = results[index]!
  return [c.group, c.library, result.medianNs.toFixed(0), (result.medianNs / bare.medianNs).toFixed(1) + 'x', spread(result.samplesNs)]
})
const header = ['case', 'library', 'median ns/call', 'vs bare await', 'p10-p90 ns']
const table = formatTable(header, rows)

const ratio = (group: string, library: string): number => {
  const index = cases.findIndex((c) => c.group === group && c.library === library)
  return results[index]!.medianNs
}
const composedSpeedup = ratio('timeout+retry+breaker', 'cockatiel wrap()') / ratio('timeout+retry+breaker', '@storefront/resilience')
const breakerSpeedup = ratio('breaker alone', 'cockatiel') / ratio('breaker alone', '@storefront/resilience')
const breakerNs = ratio('breaker alone', '@storefront/resilience')
const limiterCost = ratio('adaptive limiter alone', '@storefront/resilience') / breakerNs
const vegasCost = ratio('adaptive limiter alone (Vegas)', '@storefront/resilience') / breakerNs
const throttleCost = ratio('adaptive throttle alone', '@storefront/resilience') / breakerNs
const summary = [
  `Composed timeout+retry+breaker: ${composedSpeedup.toFixed(1)}x faster than cockatiel (target: at least 10x).`,
  `Breaker alone: ${breakerSpeedup.toFixed(2)}x cockatiel's speed (target: at least 1x).`,
  `Adaptive limiter alone: ${limiterCost.toFixed(2)}x the breaker's cost per call, ${vegasCost.toFixed(2)}x with Vegas (target: at most 2x).`,
  `Adaptive throttle alone: ${throttleCost.toFixed(2)}x the breaker's cost per call (target: at most 2x).`,
]

const machine = describePlatform()
console.log(`\n${machine}\n`)
console.log(table)
console.log('\n' + summary.join('\n'))

if (process.argv.includes('--update-readme')) {
  writeReadmeBlock(new URL('../../../packages/resilience/README.md', import.meta.url), 'npm run bench:resilience -- --update-readme', [
    '```text',
    machine,
    '',
    table,
    '',
    ...summary,
    '```',
  ])
  console.log('\nWrote the table into packages/resilience/README.md')
}

function spread(samples: readonly number[]): string {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
  return `${at(0.1).toFixed(0)}-${at(0.9).toFixed(0)}`
}
