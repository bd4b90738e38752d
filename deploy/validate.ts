// Checks every deployment file offline: the Dockerfile, compose.yaml, both Kubernetes overlays as
// kustomize renders them (alone, and with each optional component of deploy/k8s/components), and
// the Prometheus alert rules and Grafana dashboards, against their schemas and the rules in
// checks/. Prints one line per check, the problems under a failed one, and `N passed, N failed`;
// exits 1 when any check fails.
// `npm run validate:deploy` from the repository root, which builds first (the checks take the
// service names from @storefront/service-kit). Needs kubectl (kustomize is built in).
import { readFileSync } from 'node:fs'

import { checkAlertRules } from './checks/alert-rules.js'
import { checkCompose } from './checks/compose-check.js'
import { checkDatabases } from './checks/database-wiring.js'
import { checkDockerfile } from './checks/dockerfile-check.js'
import { checkDashboard, provisionedDatasources } from './checks/grafana-dashboard.js'
import { checkNetwork } from './checks/intended-network.js'
import { checkKubernetesSchemas } from './checks/kubernetes-schema.js'
import { COMPONENTS, type Component, type KubeObject, OVERLAYS, type Overlay, describeRendering, hasKubectl, renderOverlay } from './checks/manifests.js'
import { checkStorefrontObjects } from './checks/storefront-objects.js'
import { checkWorkloads } from './checks/workload-policy.js'

const root = new URL('../', import.meta.url)
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8')

const checks: [name: string, run: () => string[]][] = [
  ['Dockerfile: pinned bases, non-root USER, HEALTHCHECK, tini, production dependencies', () => checkDockerfile(read('Dockerfile'))],
  ['compose.yaml: Compose specification schema, health checks, hardening, secrets from .env', () => checkCompose(read('compose.yaml'), read('deploy/compose/.env.example'))],
  ['Prometheus alert rules: PromQL, durations, severities, annotations', () => checkAlertRules(read('deploy/observability/prometheus/storefront-alerts.yaml')).problems],
  ['Grafana dashboard: panels, PromQL, provisioned datasources', () =>
    checkDashboard(read('deploy/observability/grafana/dashboards/storefront.json'), provisionedDatasources(read('deploy/observability/grafana/provisioning/datasources/storefront.yaml'))).problems],
]
if (hasKubectl()) {
  // Each overlay as it is, then with each optional component added.
  const renderings = OVERLAYS.flatMap((overlay): [Overlay, Component[]][] => [
    [overlay, []],
    ...COMPONENTS.map((component): [Overlay, Component[]] => [overlay, [component]]),
  ])
  for (const [overlay, components] of renderings) {
    const name = describeRendering(overlay, components)
    let objects: KubeObject[] = []
    checks.push(
      [`${name}: kubectl kustomize deploy/k8s/${overlay}${components.map((component) => ` + components/${component}`).join('')}`, () => {
        objects = renderOverlay(overlay, components)
        return []
      }],
      [`${name}: every object against its schema`, () => checkKubernetesSchemas(objects)],
      [`${name}: probes, requests and limits, non-root, read-only root filesystem`, () => checkWorkloads(objects)],
      [`${name}: autoscalers, disruption budgets, services, no committed secrets`, () => checkStorefrontObjects(objects)],
      [`${name}: each service's database`, () => checkDatabases(objects, overlay)],
      [`${name}: network policies against the intended connections`, () => checkNetwork(objects, overlay)],
    )
  }
} else {
  checks.push(['kubectl (with kustomize) to render deploy/k8s/dev and deploy/k8s/prod', () => ['kubectl is not on PATH']])
}

let passed = 0
let failed = 0
for (const [name, run] of checks) {
  let problems: string[]
  try {
    problems = run()
  } catch (error) {
    problems = [error instanceof Error ? error.message : String(error)]
  }
  if (problems.length === 0) {
    passed++
    process.stdout.write(`ok    ${name}\n`)
  } else {
    failed++
    process.stdout.write(`FAIL  ${name}\n${problems.map((problem) => `      - ${problem}\n`).join('')}`)
  }
}
process.stdout.write(`${passed} passed, ${failed} failed\n`)
process.exitCode = failed === 0 ? 0 : 1
