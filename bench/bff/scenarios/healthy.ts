import { type LoadResult, runLoad } from '../../lib/load.js'
import type { RunningProcess } from '../../lib/service-process.js'
import { type WithCpu, withCpuPerAnswer } from '../cpu-per-answer.js'
import { fetchPage, labelOf, readPageBody } from '../page-answer.js'
import { loadPages, pageRow } from '../page-load.js'
import type { BenchRow, ScenarioOutcome } from '../scenario-outcome.js'
import { originOf } from '../storefront-fleet.js'
import type { ScenarioContext, StorefrontSystem } from '../storefront-system.js'

const SCENARIO = 'healthy, 10 products'
/** The BFF's own latency allowed on top of the slowest downstream path (products, then inventory), in ms. */
const ADDED_P50_MS = 1.5
/** The BFF's throughput over products' alone, at least. */
const THROUGHPUT_SHARE = 0.2
const INVENTORY_QUERY = `/inventory?product_ids=${Array.from({ length: 10 }, (_, index) => index + 1).join(',')}`

/**
 * The healthy system at its default catalogue: the BFF's page beside its two sequential
 * downstream calls measured alone, products and inventory, with the service token, in the same run.
 */
export async function measureHealthy(context: ScenarioContext, system: StorefrontSystem): Promise<ScenarioOutcome> {
  const { plan } = context
  const problems: string[] = []
  const notes: string[] = []

  const first = await fetchPage(system.bffOrigin, system.visitor.headers)
  if (first.status !== 200 || first.degraded.length > 0 || first.products !== 10) {
    problems.push(`${SCENARIO}: the first page was ${labelOf(first)} with ${first.products ?? 0} products, not a whole page of 10`)
  }
  if (system.visitor.signedIn) {
    if (first.cartItems === null || first.favoriteItems === null) {
      problems.push(`${SCENARIO}: signed in, yet the page has cart_items ${String(first.cartItems)} and favorite_items ${String(first.favoriteItems)}`)
    } else {
      notes.push(`Signed in as user 1 (demo sign-in, bearer token): each page calls products, cart, favorites and inventory (the page showed ${first.cartItems} cart lines, ${first.favoriteItems} favorites).`)
    }
  }

  const loaded = await measureSide(context, system, plan.connections, plan.healthyS, plan.warmupS)
  // At one connection nothing waits in a queue: what is left is the BFF's own latency over the path.
  const unloaded = await measureSide(context, system, 1, plan.unloadedS, 0)
  for (const side of [loaded, unloaded]) {
    problems.push(...problemsOf(side))
  }
  const { bff, products, inventory } = loaded
  const path = products.result.p50Ms + inventory.result.p50Ms
  const share = bff.result.requestsPerSecond / products.result.requestsPerSecond
  const unloadedPath = unloaded.products.result.p50Ms + unloaded.inventory.result.p50Ms
  notes.push(`At 1 connection (no queueing, no target): BFF p50 ${ms(unloaded.bff.result.p50Ms)} ms vs products ${ms(unloaded.products.result.p50Ms)} + inventory ${ms(unloaded.inventory.result.p50Ms)} = ${ms(unloadedPath)} ms: the BFF adds ${ms(unloaded.bff.result.p50Ms - unloadedPath)} ms.`)
  return {
    rows: [...rowsOf(system, loaded), ...rowsOf(system, unloaded)],
    verdicts: [
      {
        target: `BFF p50 within ${ADDED_P50_MS} ms of products p50 + inventory p50 (${plan.connections} connections)`,
        measured: `${ms(bff.result.p50Ms)} vs ${ms(products.result.p50Ms)} + ${ms(inventory.result.p50Ms)} + ${ADDED_P50_MS} = ${ms(path + ADDED_P50_MS)} ms (the BFF adds ${ms(bff.result.p50Ms - path)} ms)`,
        met: bff.result.p50Ms <= path + ADDED_P50_MS,
      },
      {
        target: `BFF throughput ≥ ${THROUGHPUT_SHARE * 100}% of products alone (${plan.connections} connections)`,
        measured: `${bff.result.requestsPerSecond.toFixed(0)} vs ${products.result.requestsPerSecond.toFixed(0)} req/s = ${(share * 100).toFixed(1)}% (inventory alone: ${inventory.result.requestsPerSecond.toFixed(0)} req/s)`,
        met: share >= THROUGHPUT_SHARE,
      },
    ],
    notes,
    problems,
  }
}

/** The BFF's page and its sequential path measured alone, at one number of connections. */
interface Side {
  readonly connections: number
  readonly bff: WithCpu<LoadResult>
  readonly products: WithCpu<LoadResult>
  readonly inventory: WithCpu<LoadResult>
}

async function measureSide(context: ScenarioContext, system: StorefrontSystem, connections: number, durationS: number, warmupS: number): Promise<Side> {
  const serviceHeaders = { authorization: `Bearer ${context.fleet.serviceToken}` }
  const alone = { connections, durationS, warmupS, headers: serviceHeaders }
  return {
    connections,
    products: await loadAlone(context, system.downstreams.products, '/products', alone),
    inventory: await loadAlone(context, system.downstreams.inventory, INVENTORY_QUERY, alone),
    bff: await loadPages(context, system, { connections, durationS, warmupS, classify: (status, body) => labelOf(readPageBody(status, body)) }),
  }
}

function problemsOf(side: Side): string[] {
  const problems: string[] = []
  for (const [label, count] of side.bff.result.byLabel) {
    if (label !== '200') {
      problems.push(`${SCENARIO}: ${count} BFF answer(s) were ${label} (${side.connections} connections)`)
    }
  }
  if (side.bff.result.errors > 0) {
    problems.push(`${SCENARIO}: ${side.bff.result.errors} connection error(s) on the BFF (${side.connections} connections)`)
  }
  for (const [name, alone] of [['products', side.products], ['inventory', side.inventory]] as const) {
    if (alone.result.non2xx + alone.result.errors > 0) {
      problems.push(`${SCENARIO}: ${name} alone had ${alone.result.non2xx} non-2xx answer(s) and ${alone.result.errors} error(s) (${side.connections} connections)`)
    }
  }
  return problems
}

function rowsOf(system: StorefrontSystem, side: Side): BenchRow[] {
  return [
    pageRow(SCENARIO, system, side.connections, side.bff, 'calls products, cart, favorites at once, then inventory'),
    aloneRow('products GET /products (alone)', side.connections, side.products),
    aloneRow('inventory GET /inventory?product_ids=1..10 (alone)', side.connections, side.inventory),
  ]
}

interface AloneOptions {
  readonly connections: number
  readonly durationS: number
  readonly warmupS: number
  readonly headers: Readonly<Record<string, string>>
}

/** One service alone, loaded like the BFF (warm-up, then the measured run), with its CPU per answer. */
async function loadAlone(context: ScenarioContext, service: RunningProcess, path: string, options: AloneOptions): Promise<WithCpu<LoadResult>> {
  context.signal.throwIfAborted()
  const load = { url: `${originOf(service)}${path}`, connections: options.connections, headers: options.headers }
  context.log(`${service.name} GET ${path} alone: ${options.connections} connection(s), ${options.warmupS} s warm-up + ${options.durationS} s`)
  if (options.warmupS > 0) {
    await runLoad({ ...load, durationS: options.warmupS })
  }
  context.signal.throwIfAborted()
  return withCpuPerAnswer([[service.pid]], () => runLoad({ ...load, durationS: options.durationS }), (result) => result.answers)
}

function aloneRow(request: string, connections: number, measured: WithCpu<LoadResult>): BenchRow {
  const { result } = measured
  const counts = [`2xx ×${result.answers - result.non2xx}`]
  if (result.non2xx > 0) {
    counts.push(`non-2xx ×${result.non2xx}`)
  }
  if (result.errors > 0) {
    counts.push(`connection errors ×${result.errors}`)
  }
  const cpu = measured.cpuUsPerAnswer[0]
  return {
    scenario: SCENARIO,
    request,
    connections,
    requestsPerSecond: result.requestsPerSecond,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    answers: counts.join(', '),
    cpuUsPerAnswer: [cpu, cpu],
    note: 'service token, no BFF',
  }
}

function ms(value: number): string {
  return value.toFixed(2)
}
