/** How long and how hard each scenario loads. */
export interface BenchPlan {
  /** Keep-alive connections of the healthy and products-down runs. */
  readonly connections: number
  /** Warm-up seconds before each healthy and catalogue run (JIT, keep-alive pools, catalogue cache). */
  readonly warmupS: number
  /** Measured seconds of each healthy run (BFF, products alone, inventory alone). */
  readonly healthyS: number
  /** Measured seconds of each healthy run at one connection (no warm-up: the system is warm by then). */
  readonly unloadedS: number
  /** Connections and seconds under the slow inventory: each answer takes up to a second, so a p99 needs a long run. */
  readonly chaosConnections: number
  readonly chaosS: number
  /** Catalogue sizes, one fresh system each. */
  readonly catalogueSizes: readonly number[]
  /** Connections of the catalogue runs: one, so that p50 is a page's own time rather than time in a queue. */
  readonly catalogueConnections: number
  readonly catalogueS: number
  /** Pages requested one by one to count inventory calls per page. */
  readonly countedPages: number
  /** Measured seconds with products down. */
  readonly downS: number
}

/** The full run: about three and a half minutes on two cores. */
export const FULL_PLAN: BenchPlan = {
  connections: 32,
  warmupS: 2,
  healthyS: 10,
  unloadedS: 4,
  chaosConnections: 32,
  chaosS: 15,
  catalogueSizes: [1000, 5000, 10_000],
  catalogueConnections: 1,
  catalogueS: 8,
  countedPages: 5,
  downS: 8,
}

/**
 * A smoke run: every scenario, short, under a minute. One catalogue size: a service's first start
 * (PGlite, migrations, seed) costs seconds of CPU, and each size needs two fresh ones.
 */
export const QUICK_PLAN: BenchPlan = {
  connections: 32,
  warmupS: 1,
  healthyS: 2,
  unloadedS: 1,
  chaosConnections: 32,
  chaosS: 4,
  catalogueSizes: [10_000],
  catalogueConnections: 1,
  catalogueS: 2,
  countedPages: 2,
  downS: 2,
}
