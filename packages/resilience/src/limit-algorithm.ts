/**
 * The algorithms an {@link AdaptiveLimiter} uses to move its limit, after Netflix's
 * concurrency-limits: Vegas (queue estimated from the unloaded latency), Gradient2 (latency
 * gradient) and AIMD (additive increase, multiplicative decrease).
 */

/**
 * Gradient2: compares a long-term average of the latency with the latest sample. While the latest
 * is no slower than `tolerance` times the average, the limit grows by `queueSize` per sample; once
 * calls queue up downstream and latency rises, it shrinks in proportion (by half at most per
 * sample). Every step is smoothed.
 */
export interface GradientOptions {
  readonly kind: 'gradient'
  /** Calls allowed beyond what the latency gradient gives, so the limit can grow. Defaults to 4. */
  readonly queueSize?: number
  /** The weight of a new estimate against the old limit, in (0, 1]. Defaults to 0.2. */
  readonly smoothing?: number
  /** How much slower than the long-term average a sample may be before the limit shrinks. Defaults to 1.5. */
  readonly tolerance?: number
  /** Samples the long-term average spans (an exponential average). Defaults to 600. */
  readonly longWindow?: number
}

/**
 * AIMD: adds 1 to the limit after a call that succeeded within `latencyThresholdMs` while at least
 * half the limit was in use, and multiplies it by `backoffRatio` after a drop or a slower call.
 */
export interface AimdOptions {
  readonly kind: 'aimd'
  /** A call slower than this counts as a drop, in milliseconds. Defaults to 5000. */
  readonly latencyThresholdMs?: number
  /** What the limit is multiplied by on a drop, in [0.5, 1). Defaults to 0.9. */
  readonly backoffRatio?: number
}

/**
 * Vegas, after TCP Vegas: estimates how many calls wait in a queue downstream from the unloaded
 * latency, `queue = limit × (1 − unloaded / latency)`, and keeps that queue between `alpha` and
 * `beta` (each times log10 of the limit, at least 1): it grows the limit while fewer wait and shrinks
 * it while more do, so the limit settles a few calls above what the downstream serves at once.
 *
 * The unloaded latency is the least seen. Under sustained overload every call queues and it cannot
 * be seen again, so every `probeEvery` × limit samples the limit is halved for two limits' worth of
 * samples, the queue drains, and the least latency is measured afresh (as TCP BBR probes its round
 * trip); a downstream that has truly become slower is learned this way too.
 */
export interface VegasOptions {
  readonly kind: 'vegas'
  /** Fewer calls than this (× log10 of the limit) estimated queued: the limit grows. Defaults to 3. */
  readonly alpha?: number
  /** More calls than this (× log10 of the limit) estimated queued: the limit shrinks. Defaults to 6. */
  readonly beta?: number
  /** Samples between probes of the unloaded latency, as a multiple of the limit (randomised by up to half). Defaults to 30. */
  readonly probeEvery?: number
  /**
   * The weight of a new estimate against the old limit, in (0, 1]. Defaults to 0.3: each call moves
   * the limit, and a move shows in latency only a round trip later, so full steps overshoot.
   */
  readonly smoothing?: number
  /** The random source of the probes' spacing, uniform in [0, 1). Defaults to `Math.random`. */
  readonly random?: () => number
}

/** Which algorithm moves the limit: a name for the defaults, or the options of one. */
export type LimitAlgorithm = 'gradient' | 'aimd' | 'vegas' | GradientOptions | AimdOptions | VegasOptions

/** Moves a (real-valued) limit estimate from one sample. The caller clamps it to its bounds. */
export interface LimitEstimator {
  /**
   * @param estimate the current estimate
   * @param rttMs how long the call took, in milliseconds
   * @param inflight calls in flight when it started, itself included
   * @param dropped true when the call was dropped (a timeout, by default)
   */
  sample(estimate: number, rttMs: number, inflight: number, dropped: boolean): number
}

/** Builds the estimator for `algorithm`, checking its options. */
export function createEstimator(algorithm: LimitAlgorithm): LimitEstimator {
  const options: GradientOptions | AimdOptions | VegasOptions = typeof algorithm === 'string' ? { kind: algorithm } : algorithm
  switch (options.kind) {
    case 'gradient':
      return new GradientEstimator(options)
    case 'aimd':
      return new AimdEstimator(options)
    case 'vegas':
      return new VegasEstimator(options)
  }
}

class VegasEstimator implements LimitEstimator {
  private readonly alpha: number
  private readonly beta: number
  private readonly probeEvery: number
  private readonly smoothing: number
  private readonly random: () => number
  /** The least latency seen since the last probe began: the unloaded latency. */
  private unloadedMs = Infinity
  /** Samples since the last probe ended. */
  private sinceProbe = 0
  /** This period's share of `probeEvery`, in [0.5, 1), so that limiters sharing a downstream do not probe together. */
  private probeJitter: number
  /** Samples left in the probe under way (0: none). */
  private probing = 0

  constructor(options: VegasOptions) {
    this.alpha = options.alpha ?? 3
    this.beta = options.beta ?? 6
    this.probeEvery = options.probeEvery ?? 30
    this.smoothing = options.smoothing ?? 0.3
    this.random = options.random ?? Math.random
    this.probeJitter = this.nextJitter()
    if (!(this.alpha > 0) || !(this.beta > this.alpha) || !(this.probeEvery >= 1) || !(this.smoothing > 0 && this.smoothing <= 1)) {
      throw new RangeError('vegas needs 0 < alpha < beta, probeEvery >= 1 and smoothing in (0, 1]')
    }
  }

  sample(estimate: number, rttMs: number, inflight: number, dropped: boolean): number {
    if (this.probing > 0) {
      // Draining: the calls that started before the halving finish slow, the ones after it fast.
      this.probing--
      this.unloadedMs = Math.min(this.unloadedMs, rttMs)
      return estimate
    }
    // Against the limit now: a limit that grows probes less often, one that shrinks sooner.
    if (++this.sinceProbe >= this.probeEvery * estimate * this.probeJitter) {
      this.sinceProbe = 0
      this.probeJitter = this.nextJitter()
      this.probing = Math.ceil(2 * estimate)
      this.unloadedMs = rttMs
      return estimate / 2
    }
    const log = Math.max(1, Math.floor(Math.log10(estimate)))
    if (dropped) {
      // A drop's latency (a timeout's budget, a fast refusal) is no round trip to learn from.
      return estimate - log * this.smoothing
    }
    if (rttMs < this.unloadedMs) {
      this.unloadedMs = rttMs
      return estimate
    }
    // Too little in flight to have caused the latency: learn nothing about the limit.
    if (inflight * 2 < estimate) {
      return estimate
    }
    const queued = Math.ceil(estimate * (1 - this.unloadedMs / rttMs))
    let target = estimate
    if (queued <= log) {
      target = estimate + this.beta * log
    } else if (queued < this.alpha * log) {
      target = estimate + log
    } else if (queued > 2 * this.beta * log) {
      // Far more queued than beta (a sudden overload under a limit far too high): the downstream
      // serves about estimate × unloaded / latency at once (Little's law). Go towards that plus
      // alpha's queue, by half at most, so the limit comes down within a few samples rather than
      // hundreds of steps of log.
      const served = (estimate * this.unloadedMs) / rttMs
      target = Math.min(estimate - log, Math.max(estimate / 2, served + this.alpha * log))
    } else if (queued > this.beta * log) {
      target = estimate - log
    }
    return estimate + (target - estimate) * this.smoothing
  }

  private nextJitter(): number {
    return 0.5 + this.random() / 2
  }
}

class GradientEstimator implements LimitEstimator {
  private readonly queueSize: number
  private readonly smoothing: number
  private readonly tolerance: number
  private readonly longRtt: ExpAverage

  constructor(options: GradientOptions) {
    this.queueSize = options.queueSize ?? 4
    this.smoothing = options.smoothing ?? 0.2
    this.tolerance = options.tolerance ?? 1.5
    const longWindow = options.longWindow ?? 600
    if (!(this.queueSize >= 0) || !(this.smoothing > 0 && this.smoothing <= 1) || !(this.tolerance >= 1) || !(longWindow >= 1)) {
      throw new RangeError('gradient needs queueSize >= 0, smoothing in (0, 1], tolerance >= 1 and longWindow >= 1')
    }
    this.longRtt = new ExpAverage(longWindow, 10)
  }

  sample(estimate: number, rttMs: number, inflight: number): number {
    const shortRtt = rttMs
    let longRtt = this.longRtt.add(rttMs)
    // After a long stretch of slow calls, let the average recover quickly once latency drops.
    if (longRtt > 2 * shortRtt) {
      longRtt = this.longRtt.scale(0.95)
    }
    // Too little in flight to have caused the latency: learn nothing about the limit.
    if (inflight < estimate / 2) {
      return estimate
    }
    const gradient = shortRtt === 0 ? 1 : Math.max(0.5, Math.min(1, (this.tolerance * longRtt) / shortRtt))
    const target = estimate * gradient + this.queueSize
    return estimate * (1 - this.smoothing) + target * this.smoothing
  }
}

class AimdEstimator implements LimitEstimator {
  private readonly latencyThresholdMs: number
  private readonly backoffRatio: number

  constructor(options: AimdOptions) {
    this.latencyThresholdMs = options.latencyThresholdMs ?? 5000
    this.backoffRatio = options.backoffRatio ?? 0.9
    if (!(this.latencyThresholdMs > 0) || !(this.backoffRatio >= 0.5 && this.backoffRatio < 1)) {
      throw new RangeError('aimd needs latencyThresholdMs > 0 and backoffRatio in [0.5, 1)')
    }
  }

  sample(estimate: number, rttMs: number, inflight: number, dropped: boolean): number {
    if (dropped || rttMs > this.latencyThresholdMs) {
      return Math.floor(estimate * this.backoffRatio)
    }
    // Grow only when the limit is what holds calls back, not while most of it sits idle.
    return inflight * 2 >= estimate ? estimate + 1 : estimate
  }
}

/** An exponential moving average that is a plain average over its first `warmup` samples. */
class ExpAverage {
  private value = 0
  private count = 0
  private readonly factor: number

  constructor(
    window: number,
    private readonly warmup: number,
  ) {
    this.factor = 2 / (window + 1)
  }

  add(sample: number): number {
    if (this.count < this.warmup) {
      this.count++
      this.value += (sample - this.value) / this.count
    } else {
      this.value += (sample - this.value) * this.factor
    }
    return this.value
  }

  scale(factor: number): number {
    this.value *= factor
    return this.value
  }
}
