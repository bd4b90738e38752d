import { parse } from 'yaml'

import { readPromql } from './promql.js'

type Fields = Readonly<Record<string, unknown>>

/** A datasource a dashboard may use: what Grafana's provisioning file declares. */
interface Datasource {
  readonly uid: string
  readonly type: string
}

/** The datasources a Grafana provisioning file (`apiVersion: 1`, `datasources:`) declares. */
export function provisionedDatasources(text: string): Datasource[] {
  const document = parse(text) as Fields | null
  const list = Array.isArray(document?.datasources) ? (document.datasources as Fields[]) : []
  return list.flatMap((entry) => (typeof entry.uid === 'string' && typeof entry.type === 'string' ? [{ uid: entry.uid, type: entry.type }] : []))
}

/**
 * Checks a Grafana dashboard's JSON: a `uid`, a `title` and a `schemaVersion`; panels with unique
 * ids, a type, a title and a place on the grid; every panel's and every query's datasource one
 * that `datasources` provisions (same uid, same type: a dashboard that names another shows "data
 * source not found"); every query with a `refId` unique in its panel and an `expr` the PromQL
 * grammar accepts. Returns the metric names the queries select.
 */
export function checkDashboard(text: string, datasources: readonly Datasource[]): { problems: string[]; metrics: Set<string> } {
  const problems: string[] = []
  const metrics = new Set<string>()
  let dashboard: Fields
  try {
    dashboard = JSON.parse(text) as Fields
  } catch (error) {
    return { problems: [`not JSON: ${error instanceof Error ? error.message : String(error)}`], metrics }
  }
  for (const key of ['uid', 'title'] as const) {
    if (typeof dashboard[key] !== 'string' || dashboard[key] === '') {
      problems.push(`no ${key}`)
    }
  }
  if (typeof dashboard.schemaVersion !== 'number') {
    problems.push('no schemaVersion')
  }
  if (datasources.length === 0) {
    problems.push('no datasource is provisioned')
  }
  const known = (source: unknown): boolean => {
    const { uid, type } = (source ?? {}) as Fields
    return datasources.some((datasource) => datasource.uid === uid && datasource.type === type)
  }
  const describe = (source: unknown): string => JSON.stringify(source ?? null)
  const panels = Array.isArray(dashboard.panels) ? (dashboard.panels as Fields[]) : []
  if (panels.length === 0) {
    problems.push('no panels')
  }
  const ids = new Set<unknown>()
  for (const panel of panels) {
    const title = typeof panel.title === 'string' ? panel.title : ''
    const report = (problem: string): void => {
      problems.push(`panel "${title || String(panel.id)}": ${problem}`)
    }
    if (typeof panel.id !== 'number' || ids.has(panel.id)) {
      report('id missing or used twice')
    }
    ids.add(panel.id)
    if (typeof panel.type !== 'string' || title === '') {
      report('type and title are required')
    }
    const grid = (panel.gridPos ?? {}) as Fields
    if (!['h', 'w', 'x', 'y'].every((key) => typeof grid[key] === 'number')) {
      report('gridPos needs h, w, x and y')
    }
    if (!known(panel.datasource)) {
      report(`datasource ${describe(panel.datasource)} is not provisioned`)
    }
    const targets = Array.isArray(panel.targets) ? (panel.targets as Fields[]) : []
    if (targets.length === 0) {
      report('no queries')
    }
    const refIds = new Set<unknown>()
    for (const target of targets) {
      if (typeof target.refId !== 'string' || refIds.has(target.refId)) {
        report('a query without a refId, or with one used twice')
      }
      refIds.add(target.refId)
      if (target.datasource !== undefined && !known(target.datasource)) {
        report(`query ${String(target.refId)}: datasource ${describe(target.datasource)} is not provisioned`)
      }
      const expr = typeof target.expr === 'string' ? target.expr : ''
      if (expr.trim() === '') {
        report(`query ${String(target.refId)} has no expr`)
        continue
      }
      const reading = readPromql(expr)
      for (const error of reading.errors) {
        report(`query ${String(target.refId)}: ${error}`)
      }
      for (const metric of reading.metrics) {
        metrics.add(metric)
      }
    }
  }
  return { problems, metrics }
}
