import { atLeast } from '../lib/judgement.js'
import type { Run, Verdict } from './scenario-outcome.js'

/** `0.62 ms` */
export function ms(value: number): string {
  return `${value.toFixed(2)} ms`
}

/** `18.4%` */
function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`
}

/** `7.9×` */
export function times(ratio: number): string {
  return `${ratio.toFixed(1)}×`
}

/** The page's requests per second at least `share` of the hello-world's, measured beside it. */
export function throughputVerdict(target: string, page: Run, hello: Run, share: number): Verdict {
  const ratio = page.result.requestsPerSecond / hello.result.requestsPerSecond
  return {
    target,
    figure: `${page.result.requestsPerSecond.toFixed(0)} req/s`,
    hello: `${hello.result.requestsPerSecond.toFixed(0)} req/s`,
    ratio: percent(ratio),
    limit: `≥ ${percent(share)} of the hello-world`,
    judgement: atLeast(ratio, share, (gap) => `${(gap * 100).toFixed(1)} points`),
  }
}
