/**
 * The Storefront's services, in the order they are started and listed: each keeps its data in a
 * database of its own and is one of the BFF's downstreams. The one list the launcher, the BFF, the
 * tests and the benchmarks take their names from, so a new service is added in one place.
 */
export const STOREFRONT_SERVICES = ['products', 'inventory', 'favorites', 'cart'] as const

/** One of {@link STOREFRONT_SERVICES}. */
export type StorefrontService = (typeof STOREFRONT_SERVICES)[number]
