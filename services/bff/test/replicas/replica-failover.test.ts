import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { PageLoad, breakerState, isFailed, replicaStates, sleep, startBffOver } from './page-load.js'
import { ServiceReplicas, servicesBuilt } from './service-replicas.js'

/** Shoppers asking for pages at once, throughout. */
const CONCURRENCY = 4

describe.skipIf(!servicesBuilt)('a replica of inventory killed under load', () => {
  let replicas: ServiceReplicas

  beforeAll(async () => {
    replicas = await ServiceReplicas.start({ inventory: 2 })
  }, 120_000)

  afterAll(async () => {
    await replicas.close()
  })

  it('with two replicas, is ejected within 1 s, and no page asked for after that is degraded', async ({ annotate }) => {
    const bff = await startBffOver(replicas)
    const load = new PageLoad(bff.app, bff.headers, CONCURRENCY)
    const [, second] = replicas.of('inventory')
    try {
      await sleep(1000)
      const killedAt = performance.now()
      await second!.kill()
      let ejectedAfterMs: number | undefined
      while (ejectedAfterMs === undefined && performance.now() - killedAt < 3000) {
        if ((await replicaStates(bff.app, 'inventory'))[1] === 'ejected') {
          ejectedAfterMs = performance.now() - killedAt
        }
        await sleep(5)
      }
      await sleep(Math.max(0, killedAt + 3000 - performance.now()))
      await load.stop()
      const firstSecond = load.askedBetween(killedAt, killedAt + 1000)
      const afterwards = load.askedBetween(killedAt + 1000)
      await annotate(`ejected ${Math.round(ejectedAfterMs ?? Number.NaN)} ms after the kill; pages degraded: ${firstSecond.filter(isFailed).length} of ${firstSecond.length} in the first second, ${afterwards.filter(isFailed).length} of ${afterwards.length} after`)
      expect(ejectedAfterMs).toBeLessThanOrEqual(1000)
      expect(afterwards.length).toBeGreaterThan(20)
      expect(afterwards.filter(isFailed)).toEqual([])
      expect(await breakerState(bff.app, 'inventory')).toBe('closed')
    } finally {
      await load.stop()
      await bff.app.close()
      await second!.start()
    }
  }, 60_000)

  it('with one replica, degrades every page from the kill until the replica is back and the breaker has closed', async ({ annotate }) => {
    const [first] = replicas.of('inventory')
    const bff = await startBffOver(replicas, { inventory: first!.origin })
    const load = new PageLoad(bff.app, bff.headers, CONCURRENCY)
    try {
      await sleep(1000)
      const killedAt = performance.now()
      await first!.kill()
      // Restarted after 1 s, as the launcher does after a crash.
      await sleep(1000)
      await first!.start()
      const readyAt = performance.now()
      let wholeAt: number | undefined
      while (wholeAt === undefined && performance.now() - readyAt < 15_000) {
        await sleep(50)
        wholeAt = load.askedBetween(readyAt).find((page) => !isFailed(page))?.startedAt
      }
      await load.stop()
      const outage = load.askedBetween(killedAt + 50, readyAt)
      const degraded = load.askedBetween(killedAt).filter(isFailed)
      await annotate(`pages degraded: ${degraded.length}, from the kill until ${Math.round((wholeAt ?? Number.NaN) - killedAt)} ms after it (the replica was ready again after ${Math.round(readyAt - killedAt)} ms)`)
      expect(outage.length).toBeGreaterThan(20)
      expect(outage.filter((page) => !isFailed(page))).toEqual([])
      expect(wholeAt).toBeDefined()
    } finally {
      await load.stop()
      await bff.app.close()
    }
  }, 60_000)
})
