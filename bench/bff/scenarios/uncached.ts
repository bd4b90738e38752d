import { atMost, type Judgement } from '../../lib/judgement.js'
import { loadHello, loadPages } from '../load-run.js'
import { expectPage, wrongAnswer } from '../page-answer.js'
import type { ScenarioOutcome } from '../scenario-outcome.js'
import type { ScenarioContext, StorefrontSystem } from '../storefront-system.js'
import { throughputVerdict, times } from '../verdicts.js'

/** The BFF's settings with its caches off: every page goes down to all four services. */
export const CACHING_OFF = { CATALOGUE_TTL_MS: '0', STOCK_TTL_MS: '0' } as const

const SCENARIO = 'caching off, 10 products'
/** The page's throughput over the hello-world's, at least. */
const THROUGHPUT_SHARE = 0.08
/** The BFF process's own CPU per page, at most, in µs. */
const BFF_CPU_US = 400

/**
 * The healthy downstreams behind a BFF with {@link CACHING_OFF}: each page calls products, cart
 * and favorites, then inventory. Its throughput beside the hello-world's, and the CPU the BFF
 * process spends per page (read from /proc around the run).
 */
export async function measureUncached(context: ScenarioContext, system: StorefrontSystem): Promise<ScenarioOutcome> {
  const check = expectPage(10)
  const wrongFirst = await wrongAnswer(`${system.bffOrigin}/products/all`, system.visitor.headers, check)
  const { connections } = context.plan
  const hello = await loadHello(context, SCENARIO, connections)
  const page = await loadPages(context, SCENARIO, system, { connections, check, note: 'CATALOGUE_TTL_MS=0 STOCK_TTL_MS=0: four downstream calls a page' })
  const [bffCpu, systemCpu] = page.cpuUsPerAnswer
  const [helloCpu] = hello.cpuUsPerAnswer
  return {
    runs: [hello, page],
    verdicts: [
      throughputVerdict(`${SCENARIO}, ${connections} connections: req/s`, page, hello, THROUGHPUT_SHARE),
      {
        target: `${SCENARIO}, ${connections} connections: BFF process CPU per page`,
        figure: bffCpu === undefined ? 'not measured' : `${bffCpu.toFixed(0)} µs (all five processes: ${systemCpu?.toFixed(0) ?? '-'} µs)`,
        hello: helloCpu === undefined ? 'not measured' : `${helloCpu.toFixed(0)} µs per answer`,
        ratio: bffCpu === undefined || helloCpu === undefined ? '-' : times(bffCpu / helloCpu),
        limit: `≤ ${BFF_CPU_US} µs`,
        judgement: cpuJudgement(bffCpu),
      },
    ],
    notes: [],
    problems: wrongFirst === undefined ? [] : [`${SCENARIO}: the first page was ${wrongFirst}`],
  }
}

function cpuJudgement(bffCpu: number | undefined): Judgement {
  // CPU is read from /proc: elsewhere the target cannot be judged, so it is not met.
  return bffCpu === undefined ? { met: false, verdict: 'MISSED (no /proc to read CPU time from)' } : atMost(bffCpu, BFF_CPU_US, (gap) => `${gap.toFixed(0)} µs`)
}
