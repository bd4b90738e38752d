/**
 * Runs every example's `main` under fake time and checks the story it prints: the transitions, the
 * refusals and the times at which they happen. The examples use real `setTimeout`s; fake timers
 * replay seconds of waiting in milliseconds, with exact `+N ms` stamps.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { main as adaptiveLimiter } from './adaptive-limiter.js'
import { main as bulkhead } from './bulkhead.js'
import { main as circuitBreakerDemo } from './circuit-breaker-demo.js'
import { main as deadlinePropagation } from './deadline-propagation.js'
import { main as hedge } from './hedge.js'
import { main as pipeline } from './pipeline.js'
import { main as retryBudget } from './retry-budget.js'
import { main as retryDemo } from './retry-demo.js'
import { main as settle } from './settle.js'
import { main as timeout } from './timeout.js'

type Main = (log: (line: string) => void) => Promise<void>

interface Run {
  /** The printed lines, with runs of spaces collapsed (the padding is for humans). */
  readonly lines: string[]
  /** Fake time from the start of `main` to the moment it resolved. */
  readonly elapsedMs: number
}

/** Runs `main` to completion under fake time, capturing what it prints. */
async function run(main: Main): Promise<Run> {
  const lines: string[] = []
  const start = performance.now()
  let elapsedMs: number | undefined
  const done = main((line) => lines.push(line.replace(/\s+/g, ' ').trim())).then(() => {
    elapsedMs = performance.now() - start
  })
  await vi.runAllTimersAsync()
  await done
  expect(elapsedMs, `main did not finish; it printed:\n${lines.join('\n')}`).toBeDefined()
  return { lines, elapsedMs: elapsedMs ?? NaN }
}

beforeEach(() => {
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

describe('retry-demo (always_fail / always_timeout under retry)', () => {
  it('makes exactly 3 attempts of each, 100 ms apart, then prints "Too many retries"', async () => {
    const { lines, elapsedMs } = await run(retryDemo)

    expect(lines).toEqual([
      '--- always_fail ---',
      '+0 ms attempt 1: started',
      '+0 ms attempt 1: failed with Error: I failed; retrying in 100 ms',
      '+100 ms attempt 2: started',
      '+100 ms attempt 2: failed with Error: I failed; retrying in 100 ms',
      '+200 ms attempt 3: started',
      '+200 ms attempt 3: failed with Error: I failed',
      '+200 ms Too many retries (3 attempts)',
      '--- always_timeout ---',
      '+0 ms attempt 1: started',
      '+100 ms attempt 1: saw its signal abort (TimeoutError: Operation timed out after 100 ms)',
      '+100 ms attempt 1: failed with TimeoutError: Operation timed out after 100 ms; retrying in 100 ms',
      '+200 ms attempt 2: started',
      '+300 ms attempt 2: saw its signal abort (TimeoutError: Operation timed out after 100 ms)',
      '+300 ms attempt 2: failed with TimeoutError: Operation timed out after 100 ms; retrying in 100 ms',
      '+400 ms attempt 3: started',
      '+500 ms attempt 3: saw its signal abort (TimeoutError: Operation timed out after 100 ms)',
      '+500 ms attempt 3: failed with TimeoutError: Operation timed out after 100 ms',
      '+500 ms Too many retries (3 attempts)',
    ])
    // always_fail: 2 pauses of 100 ms; always_timeout: 3 attempts of 100 ms and 2 pauses of 100 ms.
    expect(elapsedMs).toBe(200 + 500)
  })

  it('aborts every timed-out attempt and no other', async () => {
    const { lines } = await run(retryDemo)

    const aborts = lines.filter((line) => line.includes('saw its signal abort'))
    expect(aborts).toHaveLength(3)
    expect(lines.indexOf('--- always_timeout ---')).toBeLessThan(lines.indexOf(aborts[0]!))
    expect(lines.filter((line) => line.endsWith('Too many retries (3 attempts)'))).toHaveLength(2)
  })
})

describe('circuit-breaker-demo (a slow callback under a breaker)', () => {
  it('opens after the 2nd timeout, refuses, then sends one half-open probe that reopens it', async () => {
    const { lines, elapsedMs } = await run(circuitBreakerDemo)

    expect(lines).toEqual([
      '+0 ms call 1: sent (state closed)',
      '+1000 ms call 1: timed out after 1000 ms',
      '+1000 ms call 2: sent (state closed)',
      '+2000 ms state: closed -> open',
      '+2000 ms call 2: timed out after 1000 ms',
      '+2000 ms call 3: refused fast, circuit open, retry after 5000 ms',
      '+2000 ms call 4: refused fast, circuit open, retry after 5000 ms',
      '+2000 ms sleeping 5 s so the breaker can reset...',
      '+7000 ms state: open -> half-open',
      '+7000 ms call 5: sent (state half-open)',
      '+8000 ms state: half-open -> open',
      '+8000 ms call 5: timed out after 1000 ms',
      '+8000 ms call 6: refused fast, circuit open, retry after 5000 ms',
      '+8000 ms call 7: refused fast, circuit open, retry after 5000 ms',
      '+8000 ms call 8: refused fast, circuit open, retry after 5000 ms',
    ])
    expect(elapsedMs).toBe(8000)
  })

  it('prints exactly three state changes, and never closes again', async () => {
    const { lines } = await run(circuitBreakerDemo)

    expect(lines.filter((line) => line.includes('state:'))).toEqual([
      '+2000 ms state: closed -> open',
      '+7000 ms state: open -> half-open',
      '+8000 ms state: half-open -> open',
    ])
    expect(lines.filter((line) => line.includes(': sent'))).toHaveLength(3)
    expect(lines.filter((line) => line.includes('refused fast'))).toHaveLength(5)
  })
})

describe('timeout', () => {
  it('returns the fast response and aborts the slow request at 500 ms', async () => {
    const { lines, elapsedMs } = await run(timeout)

    expect(lines).toEqual([
      '+0 ms fetch /products/fast (takes 200 ms, limit 500 ms)',
      '+200 ms fetch /products/fast: 200 OK from /products/fast',
      '+200 ms fetch /products/slow (takes 3000 ms, limit 500 ms)',
      '+700 ms fetch /products/slow: aborted, request cancelled',
      '+700 ms fetch /products/slow: TimeoutError after 500 ms',
    ])
    expect(elapsedMs).toBe(700)
  })
})

describe('settle', () => {
  it('renders the page at 300 ms with favorites timed out and aborted', async () => {
    const { lines, elapsedMs } = await run(settle)

    expect(lines).toEqual([
      '+0 ms GET /page: calling products, cart and favorites at once, waiting at most 300 ms',
      '+80 ms products: answered',
      '+120 ms cart: answered',
      '+300 ms favorites: aborted (TimeoutError)',
      '+300 ms products: fulfilled ["kettle","teapot","mug"]',
      '+300 ms cart: fulfilled {"items":2}',
      '+300 ms favorites: timeout',
      '+300 ms page rendered with 0 favorites',
    ])
    expect(elapsedMs).toBe(300)
  })
})

describe('bulkhead', () => {
  it('runs two, queues one, rejects the fourth at once, then runs the queued one', async () => {
    const { lines, elapsedMs } = await run(bulkhead)

    expect(lines).toEqual([
      '+0 ms query 1: running (active 1, queued 0)',
      '+0 ms query 2: running (active 2, queued 0)',
      '+0 ms after the burst: active 2, queued 1',
      '+0 ms query 4: rejected at once (Bulkhead full (2 running, 1 queued))',
      '+100 ms query 3: running (active 2, queued 0)',
      '+100 ms query 1: done',
      '+100 ms query 2: done',
      '+200 ms query 3: done',
      '+200 ms all settled: active 0, queued 0',
    ])
    expect(elapsedMs).toBe(200)
  })
})

describe('hedge', () => {
  it('sends a second copy after 100 ms, takes its answer and aborts the stalled copy', async () => {
    const { lines, elapsedMs } = await run(hedge)

    expect(lines).toEqual([
      '+0 ms copy 1: sent (will take 2000 ms)',
      '+100 ms copy 2: sent (will take 50 ms)',
      '+150 ms copy 2: answered',
      '+150 ms copy 1: aborted, it lost the race',
      '+150 ms stock = 7, answered in 150 ms instead of 2000 ms',
    ])
    expect(elapsedMs).toBe(150)
  })
})

describe('retry-budget', () => {
  it('lets only 20% of the requests retry during the outage: 12 calls instead of 30', async () => {
    const { lines } = await run(retryBudget)

    const attempts = lines
      .filter((line) => line.includes('request '))
      .map((line) => Number(/after (\d+) attempt/.exec(line)?.[1]))
    // Retries are allowed only once 5 (then 10) requests have been seen: 10 * 0.2 = 2 retries.
    expect(attempts).toEqual([1, 1, 1, 1, 2, 1, 1, 1, 1, 2])
    expect(lines.every((line) => !line.includes('request ') || line.includes('the budget refused a retry'))).toBe(true)
    expect(lines.at(-1)).toBe('+200 ms inventory received 12 calls for 10 requests (without a budget: 30)')
  })
})

describe('deadline-propagation', () => {
  it('passes the 700 ms left in the header, and products stops at the caller\'s deadline', async () => {
    const { lines, elapsedMs } = await run(deadlinePropagation)

    expect(lines).toEqual([
      '+0 ms bff: page request, budget 1000 ms',
      '+300 ms bff: calling products with x-request-timeout-ms: 700',
      '+300 ms products: received x-request-timeout-ms: 700',
      '+300 ms products: db query, attempt 1',
      '+800 ms products: db query, attempt 1 aborted (Operation timed out after 500 ms)',
      '+900 ms products: db query, attempt 2',
      // The second attempt is cut by the deadline (100 ms left), not by its own 500 ms limit.
      '+1000 ms products: db query, attempt 2 aborted (Operation timed out after 700 ms)',
      '+1000 ms products: gave up after 2 attempts (deadline), 0 ms left',
      '+1000 ms bff: products answered 504 Gateway Timeout; deadline expired: true',
    ])
    expect(elapsedMs).toBe(1000)
  })
})

describe('pipeline', () => {
  it('retries a blip, times out a hang without blaming the service, and fails fast once the breaker opens', async () => {
    const { lines, elapsedMs } = await run(pipeline)

    expect(lines).toEqual([
      '+0 ms GET /cart (flaky)',
      '+0 ms attempt 1 sent',
      '+100 ms attempt 2 sent',
      '+100 ms -> 2 items',
      '+100 ms GET /cart (hanging)',
      '+100 ms attempt 1 sent',
      '+1100 ms cart: the hanging request was aborted',
      '+1100 ms -> TimeoutError: Operation timed out after 1000 ms',
      '+1100 ms GET /cart (down)',
      '+1100 ms attempt 1 sent',
      // Failures: the blip and two attempts here; the hang was the caller's timeout, not counted.
      '+1200 ms attempt 2 sent',
      '+1200 ms breaker: closed -> open',
      '+1300 ms -> CircuitOpenError: Circuit "cart" is open, retry after 9900 ms',
      '+1300 ms GET /cart (still down)',
      '+1300 ms -> CircuitOpenError: Circuit "cart" is open, retry after 9900 ms',
    ])
    expect(elapsedMs).toBe(1300)
  })
})

describe('adaptive-limiter', () => {
  /** The lines of one run, from its header to the next. */
  const section = (lines: string[], header: string): string[] => {
    const from = lines.indexOf(header)
    expect(from, `no "${header}"`).toBeGreaterThanOrEqual(0)
    const to = lines.findIndex((line, i) => i > from && line.startsWith('---'))
    return lines.slice(from + 1, to === -1 ? undefined : to)
  }
  /** The limits sampled every 250 ms. */
  const limits = (lines: string[]): number[] =>
    lines.flatMap((line) => {
      const match = /ms limit (\d+), in flight \d+, admitted \d+, refused \d+/.exec(line)
      return match === null ? [] : [Number(match[1])]
    })
  /** The numbers of the closing line. */
  const summary = (lines: string[]): { admitted: number; perSecond: number; refused: number; refusalMs: number } => {
    const match = /(\d+) admitted, (\d+) a second \(capacity 200\); (\d+) refused, each within (\d+) ms; .*; no call started over the limit$/.exec(lines.at(-1)!)
    expect(match, lines.at(-1)).not.toBeNull()
    const [admitted, perSecond, refused, refusalMs] = match!.slice(1).map(Number) as [number, number, number, number]
    return { admitted, perSecond, refused, refusalMs }
  }

  /** About all the downstream serves (200 a second) admitted, the rest refused, each at once. */
  const expectServedAndShedAtOnce = (lines: string[]): void => {
    const { admitted, perSecond, refused, refusalMs } = summary(lines)
    expect(perSecond).toBeGreaterThanOrEqual(180)
    expect(refused).toBeGreaterThan(admitted)
    expect(refusalMs).toBe(0)
  }

  it('under Vegas, finds the 8 workers from 2 within a quarter second and holds near them, keeping calls short and shedding the rest at once', async () => {
    const { lines } = await run(adaptiveLimiter)
    const vegas = section(lines, '--- vegas ---')
    const sampled = limits(vegas)
    expect(sampled).toHaveLength(19)
    expect(sampled[0]).toBeGreaterThanOrEqual(8)
    // From 1 s on: settled a few calls above the workers, save a probe's halving now and then.
    const settled = sampled.slice(3)
    // (The probes come at random: a sample can catch one, or the overshoot just after.)
    const sorted = settled.toSorted((a, b) => a - b)
    expect(sorted[Math.floor(sorted.length / 2)]).toBeGreaterThanOrEqual(10)
    expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThanOrEqual(15)
    expect(settled.filter((limit) => limit >= 8 && limit <= 18).length).toBeGreaterThanOrEqual(settled.length * 0.75)
    const medianLatencies = vegas.slice(4).flatMap((line) => {
      const match = /p50 (\d+) ms$/.exec(line)
      return match === null ? [] : [Number(match[1])]
    })
    // A short queue: calls wait about half their 40 ms of work, never the gradient's 2 to 9 times it.
    expect(Math.max(...medianLatencies)).toBeLessThanOrEqual(90)
    expectServedAndShedAtOnce(vegas)
  })

  it('under the gradient, grows from 2 past the 8 workers, keeps them busy and sheds the rest at once', async () => {
    const { lines } = await run(adaptiveLimiter)
    const gradient = section(lines, '--- gradient (the default) ---')

    expect(gradient[0]).toBe('+0 ms limit 2; 8 workers of 40 ms; a caller every 2 ms')
    const sampled = limits(gradient)
    expect(sampled).toHaveLength(19)
    // Stuck at 2, the downstream would serve 50 calls a second; the limit must find more room.
    expect(sampled[0]).toBeGreaterThan(8)
    expect(Math.min(...sampled)).toBeGreaterThanOrEqual(8)
    expectServedAndShedAtOnce(gradient)
  })

  it('under AIMD, backs off when calls queue past 60 ms and grows again, shedding at once', async () => {
    const { lines } = await run(adaptiveLimiter)
    const aimd = section(lines, '--- aimd (a call slower than 60 ms backs off) ---')

    const sampled = limits(aimd)
    expect(sampled).toHaveLength(11)
    const peak = sampled.indexOf(Math.max(...sampled))
    expect(sampled[peak]).toBeGreaterThan(8)
    expect(Math.min(...sampled.slice(peak))).toBeLessThan(8)
    const { perSecond, refused, refusalMs } = summary(aimd)
    expect(perSecond).toBeGreaterThan(50)
    expect(refused).toBeGreaterThan(0)
    expect(refusalMs).toBe(0)
  })
})

describe('every example', () => {
  it('runs nothing when imported, only when executed directly', async () => {
    vi.resetModules()
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    try {
      await Promise.all([
        import('./retry-demo.js'),
        import('./circuit-breaker-demo.js'),
        import('./timeout.js'),
        import('./settle.js'),
        import('./bulkhead.js'),
        import('./hedge.js'),
        import('./retry-budget.js'),
        import('./deadline-propagation.js'),
        import('./pipeline.js'),
        import('./adaptive-limiter.js'),
      ])
      expect(vi.getTimerCount()).toBe(0)
      expect(log).not.toHaveBeenCalled()
    } finally {
      log.mockRestore()
    }
  })
})
