import { formatTable } from '../lib/format-table.js'
import { atMost } from '../lib/judgement.js'
import { MB, TARGETS, formatMb, formatSeconds } from './footprint-targets.js'
import type { MemoryPeak } from './memory-peak.js'
import { ROLES, type Role, type TreeSnapshot } from './process-memory.js'

/** One timed start of the launcher. */
export interface TimedStart {
  readonly upMs: number
  /** Milliseconds from the spawn to each milestone of the launcher's log. */
  readonly milestones: ReadonlyArray<readonly [string, number]>
  /** CPU seconds the tree had used at "up", by part. */
  readonly cpuAtUp: ReadonlyMap<Role | 'all', number>
}

/** What the page load did, for the report. */
interface LoadSummary {
  readonly connections: number
  readonly durationS: number
  readonly requestsPerSecond: number
  readonly answers: number
  readonly p50Ms: number
  readonly p99Ms: number
  /** Answers by status code. */
  readonly byStatus: ReadonlyMap<string, number>
  readonly errors: number
  readonly signedIn: boolean
}

/** Everything one run measured. */
export interface FootprintRun {
  readonly fresh: TimedStart
  /** The warm starts, in order (at least one). */
  readonly warm: readonly TimedStart[]
  /** A few seconds idle after the fresh start (its seeding included). */
  readonly idle: TreeSnapshot
  readonly peak: MemoryPeak
  readonly load: LoadSummary
}

/** The report's parts. */
export interface FootprintReport {
  /** measure, figure, target, verdict. */
  readonly table: string
  /** Memory of each part of the system, idle and at the load's peak. */
  readonly breakdown: string
  /** Time from the spawn to each milestone of the launcher's log, fresh and warm. */
  readonly phases: string
  /** CPU seconds each part had used at "up", fresh and warm. */
  readonly startCpu: string
  readonly notes: readonly string[]
  /** True when the load had answers other than 200 or connection errors: its memory figure would not be the page's. */
  readonly invalid: boolean
}

/** The median of the figures (the lower middle one for an even count). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[(sorted.length - 1) >> 1] ?? Number.NaN
}

/** Renders a run as the tables of the benchmark. */
export function buildFootprintReport(run: FootprintRun): FootprintReport {
  const warmMs = median(run.warm.map((start) => start.upMs))
  const warmLabel = run.warm.length === 1 ? 'warm (same data)' : `warm (same data), median of ${run.warm.length}: ${run.warm.map((start) => formatSeconds(start.upMs)).join(', ')}`
  const notJudged = (bytes: number, ceiling: number): string => `not judged (${bytes <= ceiling ? 'within' : `+${formatMb(bytes - ceiling)} over`})`
  const table = formatTable(['measure', 'figure', 'target', 'verdict'], [
    ['spawn to "Storefront is up", fresh data directory', formatSeconds(run.fresh.upMs), `≤ ${formatSeconds(TARGETS.freshStartMs)}`, atMost(run.fresh.upMs, TARGETS.freshStartMs, formatSeconds).verdict],
    [`spawn to "Storefront is up", ${warmLabel}`, formatSeconds(warmMs), `≤ ${formatSeconds(TARGETS.warmStartMs)}`, atMost(warmMs, TARGETS.warmStartMs, formatSeconds).verdict],
    [`memory idle, all ${run.idle.processes} processes, PSS sum`, formatMb(run.idle.total.pss), `≤ ${formatMb(TARGETS.idleBytes)}`, atMost(run.idle.total.pss, TARGETS.idleBytes, formatMb).verdict],
    [`memory under load, peak PSS sum (${run.peak.atPeakPss.processes} processes)`, formatMb(run.peak.atPeakPss.total.pss), `≤ ${formatMb(TARGETS.loadBytes)}`, atMost(run.peak.atPeakPss.total.pss, TARGETS.loadBytes, formatMb).verdict],
    ['memory idle, RSS sum (shared pages counted per process)', formatMb(run.idle.total.rss), `(≤ ${formatMb(TARGETS.idleBytes)})`, notJudged(run.idle.total.rss, TARGETS.idleBytes)],
    ['memory under load, peak RSS sum', formatMb(run.peak.peakRss), `(≤ ${formatMb(TARGETS.loadBytes)})`, notJudged(run.peak.peakRss, TARGETS.loadBytes)],
    ['services\' database routes, req/s beside a bare Fastify hello-world', 'npm run bench:services', '≥ 40%', 'not measured here'],
  ])

  const mb = (bytes: number | undefined): string => (bytes === undefined ? '-' : (bytes / MB).toFixed(1))
  const peak = run.peak.atPeakPss
  const breakdown = formatTable(['part', 'processes idle / peak', 'idle RSS MB', 'idle PSS MB', 'peak RSS MB', 'peak PSS MB'], [
    ...ROLES.filter((role) => run.idle.byRole.has(role) || peak.byRole.has(role)).map((role) => {
      const idle = run.idle.byRole.get(role)
      const loaded = peak.byRole.get(role)
      return [role, `${idle?.processes ?? 0} / ${loaded?.processes ?? 0}`, mb(idle?.rss), mb(idle?.pss), mb(loaded?.rss), mb(loaded?.pss)]
    }),
    ['all', `${run.idle.processes} / ${peak.processes}`, mb(run.idle.total.rss), mb(run.idle.total.pss), mb(peak.total.rss), mb(peak.total.pss)],
  ])

  const names = [...new Set([...run.fresh.milestones, ...run.warm.flatMap((start) => start.milestones)].map(([name]) => name))]
  const at = (start: TimedStart, name: string): number | undefined => start.milestones.find(([seen]) => seen === name)?.[1]
  const phases = formatTable(['milestone (launcher log)', 'fresh s', 'warm s (median)'], names.map((name) => {
    const fresh = at(run.fresh, name)
    const warm = run.warm.map((start) => at(start, name)).filter((value) => value !== undefined)
    return [name, fresh === undefined ? '-' : (fresh / 1000).toFixed(2), warm.length === 0 ? '-' : (median(warm) / 1000).toFixed(2)]
  }))

  const parts = [...ROLES, 'all' as const].filter((role) => run.fresh.cpuAtUp.has(role) || run.warm.some((start) => start.cpuAtUp.has(role)))
  const startCpu = formatTable(['part', 'fresh CPU s', 'warm CPU s (median)'], parts.map((role) => {
    const warm = run.warm.map((start) => start.cpuAtUp.get(role)).filter((value) => value !== undefined)
    return [role, (run.fresh.cpuAtUp.get(role) ?? 0).toFixed(2), warm.length === 0 ? '-' : median(warm).toFixed(2)]
  }))

  const { load } = run
  const statuses = [...load.byStatus].sort(([a], [b]) => a.localeCompare(b)).map(([status, count]) => `${count} × ${status}`).join(', ')
  const unexpected = [...load.byStatus].filter(([status]) => status !== '200').reduce((sum, [, count]) => sum + count, 0) + load.errors
  const notes = [
    `Load: GET /products/all on the BFF as ${load.signedIn ? 'user 1 (signed in: products, cart, favorites and inventory per page)' : 'an anonymous visitor'}, ${load.connections} connections for ${load.durationS} s: ${load.requestsPerSecond.toFixed(0)} req/s, p50 ${load.p50Ms.toFixed(1)} ms, p99 ${load.p99Ms.toFixed(1)} ms; answers ${statuses === '' ? 'none' : statuses}; ${load.errors} connection errors. Memory read ${run.peak.samples} times.`,
    ...(unexpected > 0 ? [`INVALID: ${unexpected} answers were not 200 (or were connection errors), so the peak is not the page's.`] : []),
  ]
  return { table, breakdown, phases, startCpu, notes, invalid: unexpected > 0 }
}
