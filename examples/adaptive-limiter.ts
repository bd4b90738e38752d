/**
 * `AdaptiveLimiter`: a concurrency limit that finds itself from measured latency, under a
 * downstream offered far more work than it can take.
 *
 * The downstream has 8 workers; each call needs 40 ms of one of them, and calls beyond 8 wait in a
 * FIFO queue in front, so latency grows smoothly with the calls in flight (8 in flight: 40 ms, 16:
 * about 80 ms). Its capacity is 8 calls at a time, 200 a second. Callers arrive on their own
 * schedule, one every 2 ms (500 a second), whatever happens to the calls before them.
 *
 * The limiter admits a call while fewer than `limit` are in flight and refuses the rest at once
 * with `LimitExceededError`. Every 250 ms the story prints the limit, the calls in flight, how many
 * were admitted and refused in that quarter second, and the median latency of the calls that
 * finished in it. The same downstream runs under the gradient (the default) and then under AIMD.
 *
 * What it shows: Vegas (the one to use under sustained overload) estimates the calls queued
 * downstream from the unloaded latency and keeps that queue at a few calls: from 2 it finds the
 * downstream's capacity within a quarter second, then holds its limit near 12 (the 8 workers and a
 * short queue), admits about all the downstream can serve (200 a second), sheds the rest at once,
 * and its calls wait about half their work. Every few seconds it halves the limit for a moment to
 * measure the unloaded latency again. The gradient keeps the workers as busy but does not settle:
 * the long-term average it compares latency with learns the queueing too, so its limit swings
 * between about 15 and 75 and calls queue for 2 to 9 times their work. AIMD with a 60 ms threshold
 * saws between 1 and 16, and leaves workers idle at the bottom of each tooth.
 *
 * Run it: `npm run example:adaptive-limiter` (from the repository root).
 */
import { pathToFileURL } from 'node:url'

import { AdaptiveLimiter, type AdaptiveLimiterOptions, isLimitExceededError } from '@storefront/resilience'

/** The downstream's workers: its real capacity, in calls at once. */
const WORKERS = 8
/** How long one call keeps a worker busy, in milliseconds. */
const WORK_MS = 40
/** One caller arrives this often, in milliseconds: 2.5 times what the downstream can serve. */
const ARRIVAL_EVERY_MS = 2
/** The story prints a line this often, in milliseconds. */
const SAMPLE_EVERY_MS = 250

export async function main(log: (line: string) => void = console.log): Promise<void> {
  log('--- vegas ---')
  await overload(log, { initial: 2, algorithm: 'vegas' }, 5000)
  log('--- gradient (the default) ---')
  await overload(log, { initial: 2 }, 5000)
  log('--- aimd (a call slower than 60 ms backs off) ---')
  await overload(log, { initial: 2, algorithm: { kind: 'aimd', latencyThresholdMs: 60 } }, 3000)
}

/** Offers the downstream callers under a fresh limiter for `durationMs`, and tells what happens. */
async function overload(log: (line: string) => void, options: AdaptiveLimiterOptions, durationMs: number): Promise<void> {
  const start = performance.now()
  const say = (line: string): void => {
    log(`${elapsed(start)}  ${line}`)
  }

  const limiter = new AdaptiveLimiter(options)
  const downstream = new Downstream(WORKERS, WORK_MS)
  let admitted = 0
  let refused = 0
  let overLimit = 0
  let slowestRefusalMs = 0
  const limits: number[] = []
  let latencies: number[] = []
  const calls: Promise<void>[] = []

  /** One caller: its call runs through the limiter, or is refused at once. */
  const caller = async (): Promise<void> => {
    const sentAt = performance.now()
    try {
      await limiter.execute(() => {
        admitted++
        // The limiter's promise: no call starts unless fewer than `limit` were in flight.
        if (limiter.inflight > limiter.limit) {
          overLimit++
        }
        return downstream.call()
      })
      latencies.push(performance.now() - sentAt)
    } catch (error) {
      if (!isLimitExceededError(error)) {
        throw error
      }
      refused++
      slowestRefusalMs = Math.max(slowestRefusalMs, performance.now() - sentAt)
    }
  }

  say(`limit ${limiter.limit}; ${WORKERS} workers of ${WORK_MS} ms; a caller every ${ARRIVAL_EVERY_MS} ms`)
  let lastAdmitted = 0
  let lastRefused = 0
  for (let at = 0; at < durationMs; at += ARRIVAL_EVERY_MS) {
    if (at > 0 && at % SAMPLE_EVERY_MS === 0) {
      if (at >= 1000) {
        limits.push(limiter.limit)
      }
      say(
        `limit ${limiter.limit}, in flight ${limiter.inflight}, admitted ${admitted - lastAdmitted}, ` +
          `refused ${refused - lastRefused}, p50 ${median(latencies)} ms`,
      )
      lastAdmitted = admitted
      lastRefused = refused
      latencies = []
    }
    calls.push(caller())
    // Keep to the schedule: a late timer does not push back every later arrival.
    await sleep(Math.max(0, start + at + ARRIVAL_EVERY_MS - performance.now()))
  }
  say(`limit ${limiter.limit}; arrivals stop, waiting for the ${limiter.inflight} calls in flight`)
  await Promise.all(calls)
  say(
    `${admitted} admitted, ${Math.round((admitted * 1000) / (performance.now() - start))} a second (capacity ${(WORKERS * 1000) / WORK_MS}); ` +
      `${refused} refused, each within ${Math.round(slowestRefusalMs)} ms; ` +
      `limit from 1 s on between ${Math.min(...limits)} and ${Math.max(...limits)}, median ${limits.toSorted((a, b) => a - b)[Math.floor(limits.length / 2)] ?? '-'}; ` +
      (overLimit === 0 ? 'no call started over the limit' : `${overLimit} calls started over the limit`),
  )
}

/** A server with `workers` workers and a FIFO queue in front of them. */
class Downstream {
  private busy = 0
  private readonly queue: (() => void)[] = []

  constructor(
    private readonly workers: number,
    private readonly workMs: number,
  ) {}

  /** Waits for a free worker, then keeps it `workMs`. */
  async call(): Promise<void> {
    if (this.busy < this.workers) {
      this.busy++
    } else {
      // The worker that finishes hands itself over: `busy` stays as it is.
      await new Promise<void>((resolve) => this.queue.push(resolve))
    }
    await sleep(this.workMs)
    const next = this.queue.shift()
    if (next === undefined) {
      this.busy--
    } else {
      next()
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** The median of `values`, rounded to whole milliseconds; `-` when there are none. */
function median(values: number[]): string {
  if (values.length === 0) {
    return '-'
  }
  const sorted = values.toSorted((a, b) => a - b)
  return String(Math.round(sorted[Math.floor(sorted.length / 2)]!))
}

/** `+100 ms`: time since `start`, padded so the columns line up. */
function elapsed(start: number): string {
  return `+${Math.round(performance.now() - start)} ms`.padStart(8)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main()
}
