import { STOREFRONT_SERVICES } from '@storefront/service-kit'

import { type KubeObject, NAMESPACE, type Overlay } from './manifests.js'
import { type Connection, type Endpoint, allowedConnections, describeConnection, namespaceEndpoints } from './network-reachability.js'
import { workloadsOf } from './workload-policy.js'

/** The OpenTelemetry Collector that deploy/k8s/components/tracing sends spans to. */
const COLLECTOR = 'the OpenTelemetry Collector'

/** The variables that make a Storefront process export its spans. */
const TRACE_ENDPOINT_VARIABLES: ReadonlySet<string> = new Set(['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'])

/**
 * Stand-ins for what lies outside the namespace: a client or server beyond the cluster (which
 * includes the Kubernetes API server), the cluster's DNS, an ingress controller, the
 * CloudNativePG operator, and an OpenTelemetry Collector (as its Helm chart installs it, in the
 * namespace deploy/k8s/components/tracing names), each in the namespace and with the labels it
 * usually has.
 */
const OUTSIDE_PEERS: readonly Endpoint[] = [
  {
    name: 'an address outside the cluster',
    namespace: undefined,
    namespaceLabels: {},
    labels: {},
    listens: [{ port: 443, protocol: 'TCP' }, { port: 6443, protocol: 'TCP' }],
  },
  {
    name: 'kube-dns',
    namespace: 'kube-system',
    namespaceLabels: { 'kubernetes.io/metadata.name': 'kube-system' },
    labels: { 'k8s-app': 'kube-dns' },
    listens: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
  },
  {
    name: 'an ingress controller',
    namespace: 'ingress-nginx',
    namespaceLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' },
    labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
    listens: [],
  },
  {
    name: 'the CloudNativePG operator',
    namespace: 'cnpg-system',
    namespaceLabels: { 'kubernetes.io/metadata.name': 'cnpg-system' },
    labels: { 'app.kubernetes.io/name': 'cloudnative-pg' },
    listens: [],
  },
  {
    name: COLLECTOR,
    namespace: 'observability',
    namespaceLabels: { 'kubernetes.io/metadata.name': 'observability' },
    labels: { 'app.kubernetes.io/name': 'opentelemetry-collector' },
    listens: [{ port: 4317, protocol: 'TCP' }, { port: 4318, protocol: 'TCP' }],
  },
]

/**
 * The network the Storefront means to have, and nothing more:
 * - anything outside the namespace reaches the BFF (through the ingress controller or a load
 *   balancer), and the BFF reaches the four services, each on the ports they listen on;
 * - every pod of the namespace reaches the cluster's DNS;
 * - dev: each service reaches the one PostgreSQL server, which holds the four databases (its roles
 *   keep each service to its own database there);
 * - prod: each service reaches its own CloudNativePG cluster on 5432 and no other cluster; each
 *   cluster's instances reach each other and are reached by the operator on 5432 and 8000, and
 *   reach the Kubernetes API server;
 * - a workload whose container sets an OTLP endpoint reaches the collector's OTLP/HTTP port (4318,
 *   the only transport the processes speak); without one, nothing reaches the collector.
 */
function intendedConnections(overlay: Overlay, objects: readonly KubeObject[], endpoints: readonly Endpoint[]): Connection[] {
  const byName = new Map(endpoints.map((endpoint) => [endpoint.name, endpoint]))
  const connections: Connection[] = []
  const allow = (from: string, to: string, ports?: readonly number[]): void => {
    for (const listener of byName.get(to)?.listens ?? []) {
      if (ports === undefined || ports.includes(listener.port)) {
        connections.push({ from, to, port: listener.port, protocol: listener.protocol })
      }
    }
  }
  for (const peer of OUTSIDE_PEERS) {
    allow(peer.name, 'bff')
  }
  for (const service of STOREFRONT_SERVICES) {
    allow('bff', service)
  }
  for (const endpoint of endpoints.filter((candidate) => candidate.namespace === NAMESPACE)) {
    allow(endpoint.name, 'kube-dns')
  }
  for (const service of STOREFRONT_SERVICES) {
    if (overlay === 'dev') {
      allow(service, 'postgres', [5432])
    } else {
      const database = `${service}-db`
      allow(service, database, [5432])
      allow(database, database, [5432, 8000])
      allow('the CloudNativePG operator', database, [5432, 8000])
      allow(database, 'an address outside the cluster', [443, 6443])
    }
  }
  for (const workload of workloadsOf(objects)) {
    const exportsSpans = (workload.spec?.template.spec?.containers ?? []).some((container) =>
      (container.env ?? []).some((variable) => TRACE_ENDPOINT_VARIABLES.has(variable.name) && variable.value !== ''))
    if (exportsSpans) {
      allow(workload.metadata.name, COLLECTOR, [4318])
    }
  }
  return connections
}

/**
 * Compares what the NetworkPolicies allow with {@link intendedConnections}: every connection they
 * allow beyond it (say, one service reaching another's database) and every intended one they block
 * is a problem.
 */
export function checkNetwork(objects: readonly KubeObject[], overlay: Overlay): string[] {
  const endpoints = [...namespaceEndpoints(objects, NAMESPACE), ...OUTSIDE_PEERS]
  const allowed = new Set(allowedConnections(objects, NAMESPACE, endpoints).map(describeConnection))
  const intended = new Set(intendedConnections(overlay, objects, endpoints).map(describeConnection))
  return [
    ...[...allowed].filter((connection) => !intended.has(connection)).map((connection) => `network policies allow ${connection}, which is not intended`),
    ...[...intended].filter((connection) => !allowed.has(connection)).map((connection) => `network policies block ${connection}, which is intended`),
  ]
}
