import { formatTable } from '../lib/format-table.js'
import type { Row } from './measure-services.js'

/** The targets a read route is held to, against the hello-world twin. */
const TARGETS = {
  /** The service's req/s over the hello-world's, at least. */
  throughputRatio: 0.5,
  /** The service's p99 over the hello-world's, at most. */
  p99Ratio: 2,
} as const

/** What a run's rows read as. */
export interface Report {
  /** Route, req/s, ratio, p50/p99, p99 ratio, targets met, non-2xx/errors. */
  readonly table: string
  /** CPU time per response of each process group. */
  readonly cpuTable: string
  readonly summary: readonly string[]
  /** True when a route failed or any count of non-2xx answers or errors is not 0. */
  readonly invalid: boolean
}

/** Renders the rows as the two tables and a summary. */
export function buildReport(rows: readonly Row[], notes: readonly string[]): Report {
  const header = ['route', 'service req/s', 'hello req/s', 'ratio', 'service p50/p99 ms', 'hello p50/p99 ms', 'p99 ratio', `≥${TARGETS.throughputRatio * 100}% req/s`, `p99 ≤${TARGETS.p99Ratio}x`, 'non-2xx/errors']
  let met = 0
  const tableRows = rows.map((row) => {
    const label = `${row.service} GET ${row.route}`
    if (row.own === undefined || row.hello === undefined) {
      return [label, '-', '-', '-', '-', '-', '-', 'NO', 'NO', row.failure ?? 'not measured']
    }
    const own = row.own.load
    const twin = row.hello.load
    const ratio = own.requestsPerSecond / twin.requestsPerSecond
    const p99Ratio = own.p99Ms / twin.p99Ms
    if (ratio >= TARGETS.throughputRatio && p99Ratio <= TARGETS.p99Ratio) {
      met++
    }
    return [
      label,
      own.requestsPerSecond.toFixed(0),
      twin.requestsPerSecond.toFixed(0),
      `${ratio.toFixed(2)}x`,
      `${own.p50Ms.toFixed(2)} / ${own.p99Ms.toFixed(2)}`,
      `${twin.p50Ms.toFixed(2)} / ${twin.p99Ms.toFixed(2)}`,
      `${p99Ratio.toFixed(2)}x`,
      ratio >= TARGETS.throughputRatio ? 'yes' : 'NO',
      p99Ratio <= TARGETS.p99Ratio ? 'yes' : 'NO',
      `${own.non2xx + twin.non2xx}/${own.errors + twin.errors}`,
    ]
  })
  const faulty = rows.filter((row) => row.failure !== undefined || [row.own, row.hello].some((side) => (side?.load.non2xx ?? 0) + (side?.load.errors ?? 0) > 0))

  // On a machine this size the load generator, the service and PostgreSQL compete for the same
  // cores, so req/s follows CPU per response; this table says whose CPU it is.
  const micros = (value: number | undefined): string => (value === undefined ? '-' : value.toFixed(0))
  const cpuTable = formatTable(
    ['route', 'service process µs/req', 'its PostgreSQL backends µs/req', 'hello-world µs/req', 'service (+ PostgreSQL) / hello'],
    rows.map((row) => {
      const [service, backends] = row.own?.cpuUsPerResponse ?? []
      const [hello] = row.hello?.cpuUsPerResponse ?? []
      const ratio = service === undefined || hello === undefined ? '-' : `${(service / hello).toFixed(2)}x (${((service + (backends ?? 0)) / hello).toFixed(2)}x)`
      return [`${row.service} GET ${row.route}`, micros(service), micros(backends), micros(hello), ratio]
    }),
  )
  const summary = [
    `${met} of ${rows.length} routes meet both targets (req/s at least ${TARGETS.throughputRatio * 100}% of the hello-world's, p99 at most ${TARGETS.p99Ratio}x).`,
    ...(faulty.length === 0 ? [] : [`INVALID: ${faulty.length} route(s) had failures, non-2xx answers or errors; every count must be 0.`]),
    ...notes,
  ]
  return { table: formatTable(header, tableRows), cpuTable, summary, invalid: faulty.length > 0 }
}
