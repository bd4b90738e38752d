import { STOREFRONT_SERVICES } from '@storefront/service-kit'
import { UpstreamClient, type UpstreamClientOptions, type UpstreamOutcomeEvent } from '@storefront/service-kit/clients'

import type { BffEnv } from '../config.js'

/** The BFF's downstreams, one resilient client each, over every replica of the downstream. */
export interface DownstreamClients {
  readonly products: UpstreamClient
  readonly inventory: UpstreamClient
  readonly favorites: UpstreamClient
  readonly cart: UpstreamClient
}

/** The downstreams' names, as in `degraded`, metrics and `/ops/breakers`: every Storefront service. */
export const DOWNSTREAMS = STOREFRONT_SERVICES

/** Client settings that tests (or later, config) may change per downstream; name, url and token are fixed. */
export type ClientTuning = Partial<Omit<UpstreamClientOptions, 'name' | 'url' | 'token'>>

/**
 * Builds one client per downstream from the environment. Call once per app: each owns a pool and a
 * breaker. `onOutcome` hears every finished call (for metrics).
 */
export function createDownstreamClients(
  env: BffEnv,
  tuning: Partial<Record<keyof DownstreamClients, ClientTuning>> = {},
  onOutcome?: (event: UpstreamOutcomeEvent) => void,
): DownstreamClients {
  // Without SERVICE_TOKEN (loopback development only, see checkBaseEnv) the downstreams check no token either.
  const token = env.SERVICE_TOKEN ?? ''
  const client = (name: keyof DownstreamClients, url: readonly string[], defaults: ClientTuning = {}): UpstreamClient =>
    new UpstreamClient({ ...defaults, ...(onOutcome === undefined ? {} : { onOutcome }), ...tuning[name], name, url, token })
  return {
    // A whole catalogue in one answer: allow more than the 1 MiB default (10 000 products are ~1 MB).
    products: client('products', env.PRODUCTS_URL, { maxResponseBytes: 16 * 1024 * 1024 }),
    inventory: client('inventory', env.INVENTORY_URL),
    favorites: client('favorites', env.FAVORITES_URL),
    cart: client('cart', env.CART_URL),
  }
}

/** Closes every client's pool. */
export async function closeDownstreamClients(clients: DownstreamClients): Promise<void> {
  await Promise.all(DOWNSTREAMS.map((name) => clients[name].close()))
}
