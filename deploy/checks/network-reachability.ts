import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy'
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer'
import type { INetworkPolicyPort } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort'

import { isCnpgCluster } from './cnpg-cluster.js'
import { type Labels, matchesSelector } from './label-selector.js'
import type { KubeObject } from './manifests.js'
import { workloadsOf } from './workload-policy.js'

/** A port something listens on. */
interface Listener {
  readonly port: number
  readonly protocol: string
  readonly name?: string | undefined
}

/**
 * Pods that connect or are connected to: the pods of one workload in the checked namespace, or a
 * stand-in for what lies outside it (another namespace's pods, an address beyond the cluster).
 */
export interface Endpoint {
  /** How problems name it: the workload's name, or what the stand-in stands for. */
  readonly name: string
  /** Its namespace; undefined for an address outside the cluster. */
  readonly namespace: string | undefined
  readonly namespaceLabels: Labels
  readonly labels: Labels
  readonly listens: readonly Listener[]
}

/** One way in: `from` may open a connection to `to` on a port `to` listens on. */
export interface Connection {
  readonly from: string
  readonly to: string
  readonly port: number
  readonly protocol: string
}

/** `from -> to:port/protocol`, one line per connection. */
export function describeConnection(connection: Connection): string {
  return `${connection.from} -> ${connection.to}:${connection.port}/${connection.protocol}`
}

/** The ports a CloudNativePG instance listens on: PostgreSQL, the instance manager's status, metrics. */
const CNPG_INSTANCE_PORTS: readonly Listener[] = [
  { port: 5432, protocol: 'TCP', name: 'postgresql' },
  { port: 8000, protocol: 'TCP', name: 'status' },
  { port: 9187, protocol: 'TCP', name: 'metrics' },
]

/**
 * The endpoints `objects` run in `namespace`: each Deployment's and StatefulSet's pods (their
 * template's labels, their containers' ports) and each CloudNativePG cluster's instances (the
 * labels the operator gives them, and the cluster's inherited labels).
 */
export function namespaceEndpoints(objects: readonly KubeObject[], namespace: string): Endpoint[] {
  const namespaceObject = objects.find((object) => object.kind === 'Namespace' && object.metadata.name === namespace)
  const namespaceLabels = { ...namespaceObject?.metadata.labels, 'kubernetes.io/metadata.name': namespace }
  const endpoints: Endpoint[] = workloadsOf(objects).map((workload) => ({
    name: workload.metadata.name,
    namespace,
    namespaceLabels,
    labels: workload.spec?.template.metadata?.labels ?? {},
    listens: (workload.spec?.template.spec?.containers ?? []).flatMap((container) =>
      (container.ports ?? []).map((port) => ({ port: port.containerPort, protocol: port.protocol ?? 'TCP', name: port.name }))),
  }))
  for (const cluster of objects.filter(isCnpgCluster)) {
    const spec = cluster.spec as { inheritedMetadata?: { labels?: Labels } } | undefined
    endpoints.push({
      name: cluster.metadata.name,
      namespace,
      namespaceLabels,
      labels: { ...spec?.inheritedMetadata?.labels, 'cnpg.io/cluster': cluster.metadata.name, 'cnpg.io/podRole': 'instance' },
      listens: CNPG_INSTANCE_PORTS,
    })
  }
  return endpoints
}

/**
 * Every connection the NetworkPolicies among `objects` allow between `endpoints`, to each port the
 * destination listens on (at least one of the two in `namespace`), the way Kubernetes decides it: a pod that a policy of a direction selects
 * is isolated in that direction, and then admits only what one of those policies' rules allows;
 * both the sender's egress and the receiver's ingress must allow a connection. Policies govern
 * the pods of `namespace` only. An `ipBlock` peer is taken to match any endpoint, since address
 * ranges can cover pods' addresses too: the model errs towards "reachable".
 */
export function allowedConnections(objects: readonly KubeObject[], namespace: string, endpoints: readonly Endpoint[]): Connection[] {
  const policies = objects.filter((object): object is INetworkPolicy & KubeObject => object.kind === 'NetworkPolicy')
  const allowed: Connection[] = []
  for (const from of endpoints) {
    // Between two endpoints outside the namespace, these policies decide nothing.
    for (const to of endpoints.filter((candidate) => candidate.namespace === namespace || from.namespace === namespace)) {
      for (const listener of to.listens) {
        if (admits(policies, namespace, 'Egress', from, to, listener) && admits(policies, namespace, 'Ingress', to, from, listener)) {
          allowed.push({ from: from.name, to: to.name, port: listener.port, protocol: listener.protocol })
        }
      }
    }
  }
  return allowed
}

type Direction = 'Ingress' | 'Egress'

/** Whether `subject`'s policies of `direction` let it exchange with `peer` on `listener` (always `to`'s port). */
function admits(policies: readonly INetworkPolicy[], namespace: string, direction: Direction, subject: Endpoint, peer: Endpoint, listener: Listener): boolean {
  if (subject.namespace !== namespace) {
    return true
  }
  const isolating = policies.filter((policy) => matchesSelector(policy.spec?.podSelector ?? {}, subject.labels) && policyTypes(policy).includes(direction))
  if (isolating.length === 0) {
    return true
  }
  return isolating.some((policy) => {
    const rules = direction === 'Ingress'
      ? (policy.spec?.ingress ?? []).map((rule) => ({ peers: rule.from, ports: rule.ports }))
      : (policy.spec?.egress ?? []).map((rule) => ({ peers: rule.to, ports: rule.ports }))
    return rules.some((rule) => peersMatch(rule.peers, peer, namespace) && portsMatch(rule.ports, listener))
  })
}

/** `spec.policyTypes`, or Kubernetes' default: Ingress, and Egress when the policy has egress rules. */
function policyTypes(policy: INetworkPolicy): readonly string[] {
  return policy.spec?.policyTypes ?? ['Ingress', ...(policy.spec?.egress === undefined ? [] : ['Egress'])]
}

function peersMatch(peers: readonly INetworkPolicyPeer[] | undefined, peer: Endpoint, namespace: string): boolean {
  if (peers === undefined || peers.length === 0) {
    return true
  }
  return peers.some((candidate) => {
    if (candidate.ipBlock !== undefined) {
      return true
    }
    if (candidate.namespaceSelector !== undefined) {
      return peer.namespace !== undefined && matchesSelector(candidate.namespaceSelector, peer.namespaceLabels) &&
        (candidate.podSelector === undefined || matchesSelector(candidate.podSelector, peer.labels))
    }
    return candidate.podSelector !== undefined && peer.namespace === namespace && matchesSelector(candidate.podSelector, peer.labels)
  })
}

function portsMatch(ports: readonly INetworkPolicyPort[] | undefined, listener: Listener): boolean {
  if (ports === undefined || ports.length === 0) {
    return true
  }
  return ports.some(({ port, endPort, protocol = 'TCP' }) => {
    if (protocol !== listener.protocol) {
      return false
    }
    if (port === undefined || port === listener.port || port === listener.name) {
      return true
    }
    return typeof port === 'number' && endPort !== undefined && listener.port >= port && listener.port <= endPort
  })
}
