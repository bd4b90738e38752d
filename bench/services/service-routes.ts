/** A service under benchmark: where it listens and the read routes measured on it. */
export interface BenchService {
  /** The folder under `services/`, and the name in the output. */
  readonly name: string
  /** The port it listens on during the run: 18000 up, so a developer's services on 8000 up are never touched. */
  readonly port: number
  /** Paths (with query) of its read routes, measured in this order. */
  readonly routes: readonly string[]
}

/** The four internal services and their read routes (docs/spec/api.md). */
export const BENCH_SERVICES: readonly BenchService[] = [
  { name: 'products', port: 18_000, routes: ['/products', '/products/1'] },
  { name: 'inventory', port: 18_001, routes: ['/products/1/inventory', '/inventory?product_ids=1,2,3,4,5,6,7,8,9,10'] },
  { name: 'favorites', port: 18_002, routes: ['/users/1/favorites'] },
  { name: 'cart', port: 18_003, routes: ['/users/1/cart'] },
]
