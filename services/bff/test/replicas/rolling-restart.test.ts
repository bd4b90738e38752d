import { STOREFRONT_SERVICES } from '@storefront/service-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { PageLoad, breakerState, isFailed, sleep, startBffOver } from './page-load.js'
import { ServiceReplicas, servicesBuilt } from './service-replicas.js'

describe.skipIf(!servicesBuilt)('a rolling restart under load', () => {
  let replicas: ServiceReplicas

  beforeAll(async () => {
    replicas = await ServiceReplicas.start({ products: 2, inventory: 2, favorites: 2, cart: 2 })
  }, 120_000)

  afterAll(async () => {
    await replicas.close()
  })

  it('of every service, one replica at a time (SIGTERM, then started again), fails no page', async ({ annotate }) => {
    const bff = await startBffOver(replicas)
    const load = new PageLoad(bff.app, bff.headers, 4)
    const restarted: string[] = []
    try {
      await sleep(500)
      const startedAt = performance.now()
      for (const service of STOREFRONT_SERVICES) {
        for (const replica of replicas.of(service)) {
          // Graceful: it stops accepting, finishes what is in flight, and exits 0.
          expect({ replica: replica.name, exit: await replica.stop() }).toEqual({ replica: replica.name, exit: { code: 0 } })
          await replica.start()
          restarted.push(replica.name)
        }
      }
      await sleep(500)
      await load.stop()
      const during = load.askedBetween(startedAt)
      const failed = load.pages.filter(isFailed)
      await annotate(`${restarted.length} replicas restarted in ${Math.round((performance.now() - startedAt) / 1000)} s; pages failed: ${failed.length} of ${load.pages.length} (${during.length} during the restarts)`)
      expect(restarted).toEqual(['products-1', 'products-2', 'inventory-1', 'inventory-2', 'favorites-1', 'favorites-2', 'cart-1', 'cart-2'])
      expect(during.length).toBeGreaterThan(100)
      expect(failed).toEqual([])
      for (const service of STOREFRONT_SERVICES) {
        expect({ service, breaker: await breakerState(bff.app, service) }).toEqual({ service, breaker: 'closed' })
      }
    } finally {
      await load.stop()
      await bff.app.close()
    }
  }, 120_000)
})
