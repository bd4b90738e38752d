import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

import { NodeProcess } from '@storefront/service-kit/processes'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { checkAlertRules } from '../checks/alert-rules.js'
import { checkDashboard, provisionedDatasources } from '../checks/grafana-dashboard.js'
import { repositoryFile } from './helpers.js'

const ALERTS = 'deploy/observability/prometheus/storefront-alerts.yaml'
const DASHBOARD = 'deploy/observability/grafana/dashboards/storefront.json'
const DATASOURCES = 'deploy/observability/grafana/provisioning/datasources/storefront.yaml'

const datasources = provisionedDatasources(repositoryFile(DATASOURCES))

describe('the Prometheus alert rules', () => {
  it('pass the checks', () => {
    expect(checkAlertRules(repositoryFile(ALERTS)).problems).toEqual([])
  })

  it('refuse a broken expression, a rule without for or severity, a label the expression drops, and a name used twice', () => {
    const rules = `
groups:
  - name: g
    rules:
      - alert: BrokenExpr
        expr: sum(rate(http_requests_total[5m]) > 1
        for: 1m
        labels: { severity: page }
        annotations: { summary: s, description: d }
      - alert: NoForNoSeverity
        expr: up == 0
        annotations: { summary: s, description: d }
      - alert: DroppedLabel
        expr: sum(rate(http_requests_total[5m])) > 1
        for: 1m
        labels: { severity: warning }
        annotations: { summary: "{{ $labels.downstream }} is down", description: d }
      - alert: DroppedLabel
        expr: up == 0
        for: 1m
        labels: { severity: warning }
        annotations: { summary: s, description: d }
`
    const problems = checkAlertRules(rules).problems
    expect(problems).toContainEqual(expect.stringMatching(/^g\/BrokenExpr: expr: syntax error/))
    expect(problems).toContain('g/NoForNoSeverity: for must be a duration (a flapping expression must hold a while before it fires)')
    expect(problems).toContain('g/NoForNoSeverity: labels.severity must be one of page, warning, ticket')
    expect(problems).toContain('g/DroppedLabel: annotations.summary refers to $labels.downstream, which the expression does not keep')
    expect(problems).toContain('g/DroppedLabel: alert name used twice')
  })
})

describe('the Grafana dashboard', () => {
  it('passes the checks against the provisioned datasource', () => {
    expect(datasources).toEqual([{ uid: 'storefront-prometheus', type: 'prometheus' }])
    expect(checkDashboard(repositoryFile(DASHBOARD), datasources).problems).toEqual([])
  })

  it('refuses a panel or query on a datasource that is not provisioned, and a query that does not parse', () => {
    const dashboard = JSON.parse(repositoryFile(DASHBOARD)) as { panels: Array<{ title: string; datasource: unknown; targets: Array<{ expr: string; datasource?: unknown }> }> }
    const [first, second] = dashboard.panels
    first!.datasource = { type: 'prometheus', uid: 'prometheus' }
    second!.targets[0]!.expr = 'histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m]))'
    second!.targets[0]!.datasource = { type: 'loki', uid: 'storefront-prometheus' }
    const problems = checkDashboard(JSON.stringify(dashboard), datasources).problems
    expect(problems).toContain(`panel "${first!.title}": datasource {"type":"prometheus","uid":"prometheus"} is not provisioned`)
    expect(problems).toContain(`panel "${second!.title}": query A: datasource {"type":"loki","uid":"storefront-prometheus"} is not provisioned`)
    expect(problems).toContainEqual(expect.stringMatching(new RegExp(`^panel "${second!.title}": query A: syntax error`)))
  })
})

describe('the metrics the rules and the dashboard select', () => {
  let bff: NodeProcess | undefined
  let exported: Set<string>

  beforeAll(async () => {
    const port = await freePort()
    bff = NodeProcess.start({
      script: fileURLToPath(new URL('../../services/bff/dist/server.js', import.meta.url)),
      // Demo mode on loopback: /metrics needs no token; the downstreams are never called.
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), ALLOW_INSECURE_LOOPBACK: 'true', LOG_LEVEL: 'warn' },
      onLine: () => {},
    })
    exported = metricFamilies(await scrape(`http://127.0.0.1:${port}/metrics`))
  }, 30_000)

  afterAll(async () => {
    await bff?.stop()
  })

  it('are all exported by a running BFF', () => {
    const selected = new Set([...checkAlertRules(repositoryFile(ALERTS)).metrics, ...checkDashboard(repositoryFile(DASHBOARD), datasources).metrics])
    expect(selected.size).toBeGreaterThan(5)
    const missing = [...selected].filter((metric) => !exported.has(metric))
    expect(missing).toEqual([])
  })
})

/** The sample names of a Prometheus text exposition, with each histogram's _bucket, _sum and _count. */
function metricFamilies(exposition: string): Set<string> {
  const names = new Set<string>()
  for (const line of exposition.split('\n')) {
    const typed = /^# TYPE (\S+) (\S+)/.exec(line)
    if (typed !== null) {
      const [, name, type] = typed
      names.add(name!)
      if (type === 'histogram') {
        for (const suffix of ['_bucket', '_sum', '_count']) {
          names.add(`${name!}${suffix}`)
        }
      }
    }
  }
  return names
}

/** GET `url` until it answers 200 (the BFF starting), for up to 20 s. */
async function scrape(url: string): Promise<string> {
  const until = Date.now() + 20_000
  for (;;) {
    try {
      const response = await fetch(url)
      if (response.status === 200) {
        return await response.text()
      }
    } catch (error) {
      if (Date.now() > until) {
        throw error
      }
    }
    if (Date.now() > until) {
      throw new Error(`${url} did not answer 200 within 20 s`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** A TCP port free on 127.0.0.1 now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => {
        resolve(typeof address === 'object' && address !== null ? address.port : 0)
      })
    })
  })
}
