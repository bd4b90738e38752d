import { Counter, Gauge, type Registry } from 'prom-client'

import type { PageCaches } from '../cache/page-caches.js'

/** What the page caches have done, as `GET /ops/stats` and the dashboard show it. */
export interface CacheStats {
  readonly catalogue: {
    readonly hits: number
    readonly misses: number
    readonly coalesced: number
    readonly stale_served: number
    /** How old the catalogue served last is, in ms; null before the first. */
    readonly age_ms: number | null
    readonly entries: number
  }
  readonly stock: {
    readonly hits: number
    readonly misses: number
    readonly coalesced: number
    readonly stale_served: number
    readonly entries: number
  }
}

/** The page caches' counts, read now. Stock is counted per product; coalesced stock per inventory call. */
export function cacheStats(caches: PageCaches): CacheStats {
  const catalogue = caches.catalogue.stats()
  const stock = caches.stock.stats()
  return {
    catalogue: {
      hits: catalogue.hits,
      misses: catalogue.misses,
      coalesced: catalogue.coalesced,
      stale_served: catalogue.staleServed,
      age_ms: catalogue.ageMs,
      entries: catalogue.entries,
    },
    stock: { hits: stock.hits, misses: stock.misses, coalesced: caches.stockCalls.joined, stale_served: stock.staleServed, entries: stock.entries },
  }
}

/**
 * Adds the page caches to `registry`, read at scrape time: lookups by cache and result (hit, miss,
 * coalesced, stale), the entries kept and the age of the catalogue served last.
 */
export function attachCacheMetrics(registry: Registry, caches: PageCaches): void {
  const counted = new Map<string, number>()
  new Counter({
    name: 'bff_cache_lookups_total',
    help: 'Catalogue and stock reads of the BFF\'s page caches, by result: hit (from memory), miss (read from the downstream), coalesced (shared a read in flight), stale (an older value stood in for a failed read). Stock is counted per product, except coalesced, per inventory call.',
    labelNames: ['cache', 'result'] as const,
    registers: [registry],
    collect() {
      const stats = cacheStats(caches)
      for (const cache of ['catalogue', 'stock'] as const) {
        const { hits, misses, coalesced, stale_served: stale } = stats[cache]
        for (const [result, total] of [['hit', hits], ['miss', misses], ['coalesced', coalesced], ['stale', stale]] as const) {
          // A counter only goes up: add what is new since the last scrape.
          const key = `${cache} ${result}`
          this.labels(cache, result).inc(total - (counted.get(key) ?? 0))
          counted.set(key, total)
        }
      }
    },
  })
  new Gauge({
    name: 'bff_cache_entries',
    help: 'Entries kept by each page cache: catalogue pages, or products with a stock figure.',
    labelNames: ['cache'] as const,
    registers: [registry],
    collect() {
      const stats = cacheStats(caches)
      this.labels('catalogue').set(stats.catalogue.entries)
      this.labels('stock').set(stats.stock.entries)
    },
  })
  new Gauge({
    name: 'bff_catalogue_age_seconds',
    help: 'How old the catalogue the BFF served last is (0 before the first).',
    registers: [registry],
    collect() {
      this.set((caches.catalogue.stats().ageMs ?? 0) / 1000)
    },
  })
}
